import { afterEach, describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { plainPayload, saslClient } from "./helpers.ts";

let t: TestServer;
const extra: TestClient[] = [];
afterEach(async () => {
  for (const c of extra.splice(0)) c.close();
  await t.stop();
});

/** A connection that has been told `AUTHENTICATE +` for PLAIN and waits for its payload. */
async function readyToGuess(nick: string): Promise<TestClient> {
  const c = await TestClient.connect(t.port);
  extra.push(c);
  c.send("CAP LS 302");
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :${nick}`);
  c.send("CAP REQ :sasl");
  await c.expect(/ CAP \S+ ACK /);
  c.send("AUTHENTICATE PLAIN");
  await c.expect(/^AUTHENTICATE \+$/);
  return c;
}

describe("guesses sent at once are throttled like guesses sent one by one", () => {
  test("eight simultaneous wrong secrets for one nick: only the allowed number are checked", async () => {
    t = await startTestServer({ limits: { secretFailuresPerNick: 2, secretFailuresPerIp: 50 } });
    extra.push(await saslClient(t.port, "alice", "correct horse"));
    const guessers = await Promise.all(Array.from({ length: 8 }, (_, i) => readyToGuess(`g${i}`)));
    // All payloads leave before any Argon2 check can finish.
    for (const [i, g] of guessers.entries())
      g.send(`AUTHENTICATE ${plainPayload("alice", `guess-${i}`)}`);
    const answers = await Promise.all(guessers.map((g) => g.expect(/ 904 /)));
    expect(answers.filter((a) => a.includes("Wrong secret"))).toHaveLength(2);
    expect(answers.filter((a) => a.includes("Too many wrong secrets"))).toHaveLength(6);
  });

  test("simultaneous wrong secrets from one address across nicks are capped per address", async () => {
    t = await startTestServer({ limits: { secretFailuresPerNick: 50, secretFailuresPerIp: 3 } });
    const nicks = ["ann", "ben", "cat", "dan", "eve", "fay"];
    for (const n of nicks) extra.push(await saslClient(t.port, n, `secret-of-${n}`));
    const guessers = await Promise.all(nicks.map((n) => readyToGuess(`x${n}`)));
    for (const [i, g] of guessers.entries())
      g.send(`AUTHENTICATE ${plainPayload(nicks[i] ?? "", "nope")}`);
    const answers = await Promise.all(guessers.map((g) => g.expect(/ 904 /)));
    expect(answers.filter((a) => a.includes("Wrong secret"))).toHaveLength(3);
  });

  test("the owner's own right secret is not counted as a guess", async () => {
    t = await startTestServer({ limits: { secretFailuresPerNick: 2, secretFailuresPerIp: 50 } });
    for (let i = 0; i < 4; i++) {
      const c = await saslClient(t.port, "alice", "correct horse");
      c.close();
    }
    const g = await readyToGuess("bob");
    g.send(`AUTHENTICATE ${plainPayload("alice", "correct horse")}`);
    await g.expect(/ 903 /);
  });
});
