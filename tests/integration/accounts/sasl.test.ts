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

async function connect(): Promise<TestClient> {
  const c = await TestClient.connect(t.port);
  extra.push(c);
  return c;
}

/** A connection in CAP negotiation with NICK and USER sent and sasl acknowledged. */
async function negotiating(nick: string): Promise<TestClient> {
  const c = await connect();
  c.send("CAP LS 302");
  await c.expect(/ CAP \* LS .*sasl=PLAIN,EXTERNAL/);
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :${nick}`);
  c.send("CAP REQ sasl");
  await c.expect(/ CAP \S+ ACK :?sasl/);
  return c;
}

describe("SASL PLAIN claims and proves a nick", () => {
  test("an unclaimed nick is claimed: 900 names the account, then 903", async () => {
    t = await startTestServer();
    const c = await negotiating("alice");
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${plainPayload("alice", "correct horse")}`);
    expect(await c.expect(/ 900 /)).toMatch(
      / 900 alice alice!\S+ alice :You are now logged in as alice$/,
    );
    await c.expect(/ 903 alice :SASL authentication successful/);
    c.send("CAP END");
    await c.expect(/ 001 alice /);
  });

  test("a claimed nick: the right secret logs in again, a wrong one is 904 and the connection stays", async () => {
    t = await startTestServer();
    const first = await saslClient(t.port, "alice", "correct horse");
    first.close();
    const wrong = await negotiating("alice");
    wrong.send("AUTHENTICATE PLAIN");
    await wrong.expect(/^AUTHENTICATE \+$/);
    wrong.send(`AUTHENTICATE ${plainPayload("alice", "battery staple")}`);
    const line = await wrong.expect(/ 904 /);
    expect(line).toContain("Wrong secret for alice");
    expect(line).not.toContain("battery");
    // Still usable: CAP END now refuses the claimed nick and asks for another.
    wrong.send("CAP END");
    await wrong.expect(/ 433 \* alice :Nickname alice is claimed/);
    await wrong.expect(/^:\S+ NOTE NICK CLAIMED alice :.*SASL PLAIN/);
    wrong.send("NICK alice2");
    await wrong.expect(/ 001 alice2 /);

    const again = await saslClient(t.port, "alice", "correct horse");
    extra.push(again);
    again.send("WHOIS alice");
    await again.expect(/ 330 alice alice alice :is logged in as/);
  });

  test("the payload may come in 400-byte chunks, and one of exactly 400 waits for the rest", async () => {
    t = await startTestServer();
    const c = await negotiating("bob");
    const secret = "s".repeat(299);
    const payload = plainPayload("bob", secret);
    expect(payload.length).toBeGreaterThan(400);
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${payload.slice(0, 400)}`);
    c.send(`AUTHENTICATE ${payload.slice(400)}`);
    await c.expect(/ 903 bob /);
  });

  test("a payload of exactly 400 bytes ends with AUTHENTICATE +", async () => {
    t = await startTestServer();
    const c = await negotiating("bob");
    // "\0bob\0" is 5 bytes; 300 bytes of payload make exactly 400 base64 characters.
    const payload = plainPayload("bob", "x".repeat(295));
    expect(payload.length).toBe(400);
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${payload}`);
    expect(await c.sees(/ 90[34] /, 300)).toBe(false);
    c.send("AUTHENTICATE +");
    await c.expect(/ 903 bob /);
  });
});

describe("SASL bad input gets its numeric and the connection stays usable", () => {
  test("an unknown mechanism: 908 with the list, then 904", async () => {
    t = await startTestServer();
    const c = await negotiating("carol");
    c.send("AUTHENTICATE SCRAM-SHA-256");
    await c.expect(/ 908 carol PLAIN,EXTERNAL :are available SASL mechanisms/);
    await c.expect(/ 904 carol /);
    c.send("CAP END");
    await c.expect(/ 001 carol /);
  });

  test("a chunk over 400 bytes is 905", async () => {
    t = await startTestServer();
    const c = await negotiating("carol");
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${"A".repeat(404)}`);
    await c.expect(/ 905 carol :SASL message too long/);
    c.send("CAP END");
    await c.expect(/ 001 carol /);
  });

  test("AUTHENTICATE * aborts with 906", async () => {
    t = await startTestServer();
    const c = await negotiating("carol");
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send("AUTHENTICATE *");
    await c.expect(/ 906 carol :SASL authentication aborted/);
    c.send("CAP END");
    await c.expect(/ 001 carol /);
  });

  test("registration completing mid-exchange aborts it with 906", async () => {
    t = await startTestServer();
    const c = await negotiating("carol");
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send("CAP END");
    await c.expect(/ 906 carol /);
    await c.expect(/ 001 carol /);
  });

  test.each([
    ["not base64", "!!!notbase64!!!", /not valid base64/],
    ["two fields", Buffer.from("carol\0secret-secret").toString("base64"), /PLAIN needs/],
    ["an empty secret", Buffer.from("\0carol\0").toString("base64"), /PLAIN needs/],
    ["another authzid", plainPayload("carol", "secret-secret", "dave"), /authorization identity/],
    ["an invalid nick", plainPayload("#chan", "secret-secret"), /not a valid nick/],
    ["a short secret", plainPayload("carol", "short"), /at least 8 characters/],
  ])("a payload with %s is 904 with the reason", async (_name, payload, why) => {
    t = await startTestServer();
    const c = await negotiating("carol");
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${payload}`);
    expect(await c.expect(/ 904 carol /)).toMatch(why);
    c.send("CAP END");
    await c.expect(/ 001 carol /);
  });

  test("SASL after logging in is 907; after registration without it, 904 pointing at REGISTER", async () => {
    t = await startTestServer();
    const a = await saslClient(t.port, "alice", "correct horse");
    extra.push(a);
    a.send("AUTHENTICATE PLAIN");
    await a.expect(/ 907 alice /);
    const b = await t.client("bob");
    b.send("AUTHENTICATE PLAIN");
    expect(await b.expect(/ 904 bob /)).toContain("REGISTER");
    b.send("PING :still-here");
    await b.expect(/PONG \S+ :?still-here/);
  });
});

describe("claimed nicks are kept for their owners", () => {
  test("NICK to a claimed nick after registration is 433 with a NOTE; the owner may take it", async () => {
    t = await startTestServer();
    const owner = await saslClient(t.port, "alice", "correct horse");
    owner.send("NICK alice_away");
    await owner.expect(/ NICK :?alice_away/);
    const other = await t.client("mallory");
    other.send("NICK alice");
    await other.expect(/ 433 mallory alice :Nickname alice is claimed/);
    await other.expect(/ NOTE NICK CLAIMED alice /);
    owner.send("NICK alice");
    await owner.expect(/:alice_away!\S+ NICK :?alice/);
    extra.push(owner);
  });

  test("the owner connecting while a stale session holds the nick takes it over", async () => {
    t = await startTestServer();
    const stale = await saslClient(t.port, "alice", "correct horse");
    const watcher = await t.client("watcher");
    watcher.send("JOIN #room");
    stale.send("JOIN #room");
    await watcher.expect(/alice!\S+ JOIN/);
    // The new connection's NICK alice is in use, so it falls back, then proves alice.
    const c = await connect();
    c.send("CAP LS 302");
    c.send("NICK alice");
    c.send("USER alice 0 * :alice");
    await c.expect(/ 433 \* alice /);
    c.send("NICK alice_");
    c.send("CAP REQ sasl");
    await c.expect(/ ACK /);
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${plainPayload("alice", "correct horse")}`);
    await c.expect(/ 903 /);
    c.send("CAP END");
    await c.expect(/ 001 alice /);
    await stale.expect(/^ERROR .*reconnected elsewhere/);
    await stale.waitClosed();
    await watcher.expect(/:alice!\S+ QUIT :reconnected elsewhere/);
  });

  test("a wrong secret never takes over, and guessing is throttled per nick", async () => {
    t = await startTestServer({ limits: { secretFailuresPerNick: 2, secretFailuresPerIp: 50 } });
    const owner = await saslClient(t.port, "alice", "correct horse");
    extra.push(owner);
    for (let i = 0; i < 2; i++) {
      const g = await negotiating(`guess${i}`);
      g.send("AUTHENTICATE PLAIN");
      await g.expect(/^AUTHENTICATE \+$/);
      g.send(`AUTHENTICATE ${plainPayload("alice", `wrong-guess-${i}`)}`);
      await g.expect(/ 904 .*Wrong secret/);
    }
    const g = await negotiating("guess3");
    g.send("AUTHENTICATE PLAIN");
    await g.expect(/^AUTHENTICATE \+$/);
    // Even the right secret waits out the lockout.
    g.send(`AUTHENTICATE ${plainPayload("alice", "correct horse")}`);
    expect(await g.expect(/ 904 /)).toMatch(/Too many wrong secrets; try again in \d+ seconds?/);
    owner.send("PING :ok");
    await owner.expect(/PONG/);
    expect(t.logs.join("\n")).not.toContain("wrong-guess");
    expect(t.logs.join("\n")).not.toContain("correct horse");
  });

  test("guessing is throttled per address across nicks", async () => {
    t = await startTestServer({ limits: { secretFailuresPerNick: 50, secretFailuresPerIp: 2 } });
    for (const nick of ["ann", "ben", "cat"]) {
      const o = await saslClient(t.port, nick, `secret-of-${nick}`);
      extra.push(o);
    }
    for (const nick of ["ann", "ben"]) {
      const g = await negotiating(`x${nick}`);
      g.send("AUTHENTICATE PLAIN");
      await g.expect(/^AUTHENTICATE \+$/);
      g.send(`AUTHENTICATE ${plainPayload(nick, "nope-nope-nope")}`);
      await g.expect(/ 904 .*Wrong secret/);
    }
    const g = await negotiating("xcat");
    g.send("AUTHENTICATE PLAIN");
    await g.expect(/^AUTHENTICATE \+$/);
    g.send(`AUTHENTICATE ${plainPayload("cat", "secret-of-cat")}`);
    await g.expect(/ 904 .*Too many wrong secrets/);
  });
});

describe("RPL_LOGGEDIN names the user as they will be known", () => {
  test("900's mask carries the ident USER gave, as 001 does, not a placeholder", async () => {
    t = await startTestServer();
    const c = await negotiating("irma");
    c.send("AUTHENTICATE PLAIN");
    await c.expect(/^AUTHENTICATE \+$/);
    c.send(`AUTHENTICATE ${plainPayload("irma", "irma-long-secret")}`);
    expect(await c.expect(/ 900 /)).toMatch(/ 900 irma irma!~irma@127\.0\.0\.1 irma :/);
    c.send("CAP END");
    expect(await c.expect(/ 001 /)).toMatch(/irma!~irma@127\.0\.0\.1$/);
  });
});
