/**
 * Two servers in one process, each with its own core and bus, share nothing:
 * a server ban, a password lockout, an away message, a nick and a room's topic
 * on one are invisible on the other. (Module-level registries would leak all
 * of these between them.)
 */
import { afterEach, expect, test } from "bun:test";
import { OperCredentials } from "../../../src/security/password.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const started: TestServer[] = [];
afterEach(async () => {
  for (const t of started.splice(0)) await t.stop();
});

async function server(): Promise<TestServer> {
  const creds = new OperCredentials([{ name: "root", password: "rootpw" }]);
  const t = await startTestServer({
    password: "pw",
    opers: creds.logins(),
    limits: { passwordFailuresMax: 2, floodLimit: false },
  });
  started.push(t);
  return t;
}

test("a ban, a lockout, an away message, a nick and a topic on one core stay there", async () => {
  const a = await server();
  const b = await server();

  // The same nick on both: each core has its own registry.
  const opA = await a.client("alice", { password: "pw" });
  const aliceB = await b.client("alice", { password: "pw" });

  // A: alice becomes operator, K-lines bob, goes away, sets a topic.
  opA.send("OPER root rootpw");
  await opA.expect(/ 381 alice /);
  opA.send("KLINE bob!*@* :not here");
  await opA.expect(/Banned bob!\*@\*/);
  opA.send("AWAY :lunch on A");
  await opA.expect(/ 306 alice /);
  opA.send("JOIN #r");
  await opA.expect(/ 366 alice #r /);
  opA.send("TOPIC #r :A's topic");
  await opA.expect(/TOPIC #r :A's topic/);

  // A: two wrong passwords lock this address out of A.
  for (let i = 0; i < 2; i++) {
    const wrong = await TestClient.connect(a.port);
    wrong.send("PASS nope");
    wrong.send(`NICK w${i}`);
    wrong.send(`USER w${i} 0 * :w`);
    await wrong.expect(/ 464 /);
    await wrong.waitClosed();
  }
  const locked = await TestClient.connect(a.port);
  await locked.expect(/^ERROR :Too many wrong passwords/);
  await locked.waitClosed();

  // On B none of it exists: bob registers, alice is not away, #r has no topic,
  // and the address is not locked out.
  const bob = await b.client("bob", { password: "pw" });
  const from = bob.lines.length;
  bob.send("WHOIS alice");
  await bob.expect(/ 318 bob alice /);
  const replies = bob.lines.slice(from);
  expect(replies.some((l) => / 311 bob alice /.test(l))).toBe(true);
  expect(replies.some((l) => / 301 bob alice /.test(l))).toBe(false);
  expect(replies.some((l) => / 313 bob alice /.test(l))).toBe(false);
  aliceB.send("JOIN #r");
  await aliceB.expect(/ 366 alice #r /);
  aliceB.send("TOPIC #r");
  await aliceB.expect(/ 331 alice #r :No topic is set/);
});
