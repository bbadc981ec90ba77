import { afterEach, describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { plainPayload } from "./helpers.ts";

// account-registration: REGISTER before connecting "cannot be used to bypass
// ... requirements that clients send a server password with PASS"; SASL the same.
let t: TestServer;
const extra: TestClient[] = [];
afterEach(async () => {
  for (const c of extra.splice(0)) c.close();
  await t.stop();
});

async function connect(): Promise<TestClient> {
  const c = await TestClient.connect(t.port);
  extra.push(c);
  return c;
}

/** Whether `nick` is claimed, asked by someone who knows the server password. */
async function claimed(nick: string): Promise<boolean> {
  const c = await connect();
  c.send("PASS sesame");
  c.send(`NICK ${nick}`);
  c.send("USER x 0 * :x");
  const line = await c.expect(/ (001|433) /);
  return line.includes(" 433 ");
}

describe("a server password guards claiming a nick before registration", () => {
  test("REGISTER before connecting without PASS claims nothing, and the connection stays", async () => {
    t = await startTestServer({ password: "sesame" });
    const c = await connect();
    c.send("CAP LS 302");
    c.send("NICK mallory");
    c.send("REGISTER * * stolen-secret-1");
    expect(await c.expect(/ FAIL REGISTER /)).toMatch(/PASS/);
    c.send("PASS sesame");
    c.send("USER m 0 * :m");
    c.send("CAP END");
    await c.expect(/ 001 mallory /);
    c.close();
    expect(await claimed("mallory")).toBe(false);
  });

  test("SASL PLAIN with a wrong PASS claims nothing: 904 says why", async () => {
    t = await startTestServer({ password: "sesame" });
    const c = await connect();
    c.send("CAP LS 302");
    c.send("PASS wrong");
    c.send("NICK eve");
    c.send("CAP REQ :sasl");
    await c.expect(/ CAP \S+ ACK /);
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${plainPayload("eve", "eve-secret-1")}`);
    expect(await c.expect(/ 904 /)).toMatch(/server password/);
    c.close();
    expect(await claimed("eve")).toBe(false);
  });

  test("with the right PASS, SASL before registration claims as before", async () => {
    t = await startTestServer({ password: "sesame" });
    const c = await connect();
    c.send("CAP LS 302");
    c.send("PASS sesame");
    c.send("NICK eve");
    c.send("USER e 0 * :e");
    c.send("CAP REQ :sasl");
    await c.expect(/ CAP \S+ ACK /);
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${plainPayload("eve", "eve-secret-1")}`);
    await c.expect(/ 903 /);
    c.send("CAP END");
    await c.expect(/ 001 eve /);
    c.close();
    expect(await claimed("eve")).toBe(true);
  });
});
