/**
 * Issue 14 point 4: LUSERS counts the whole network, +i users and operators
 * of other nodes included (each node's heartbeat carries its counts), and a
 * lost node's counts go with it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { OperCredentials } from "../../../src/security/password.ts";
import { startNode } from "../../helpers/cluster.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** Ask LUSERS until the 251 and 252 lines match (counts travel with heartbeats). */
async function lusersUntil(c: TestClient, want: RegExp): Promise<string> {
  let seen = "";
  for (let i = 0; i < 50 && !want.test(seen); i++) {
    const mark = c.lines.length;
    c.send("LUSERS");
    c.send("PING sync");
    await c.expect(/PONG .*sync/);
    seen = c.lines.slice(mark).join("\n");
    await Bun.sleep(20);
  }
  return seen;
}

test("LUSERS on one node counts +i users and operators of the other", async () => {
  const opers = new OperCredentials([{ name: "root", password: "toor" }]).logins();
  const a = await startNode(redis, { prefix: "lusers:" });
  const b = await startNode(redis, { prefix: "lusers:", opers });
  try {
    const alice = await a.client("alice");
    const bob = await b.client("bob");
    const carol = await b.client("carol");
    bob.send("MODE bob +i");
    await bob.expect(/MODE bob :?\+i/);
    carol.send("OPER root toor");
    await carol.expect(/ 381 carol /);

    const seen = await lusersUntil(
      alice,
      / 251 alice :There are 2 users and 1 invisible[\s\S]* 252 alice 1 :/,
    );
    expect(seen).toMatch(/ 251 alice :There are 2 users and 1 invisible/);
    expect(seen).toMatch(/ 252 alice 1 :/);

    // The node goes: its users, +i and operator with it.
    await b.crash();
    const after = await lusersUntil(
      alice,
      / 251 alice :There are 1 users and 0 invisible[\s\S]* 252 alice 0 :/,
    );
    expect(after).toMatch(/ 251 alice :There are 1 users and 0 invisible/);
    expect(after).toMatch(/ 252 alice 0 :/);
  } finally {
    await a.stop();
    await b.stop();
  }
});
