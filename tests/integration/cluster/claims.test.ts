/**
 * Issue 14 point 3: owned-nick claims hold network-wide. Each node keeps its
 * claims in its own SQLite store; a claim made, proved or dropped on one node
 * is replayed on the others, and a node started later gets them all.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { startNode, type TestNode, until } from "../../helpers/cluster.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";
import { plainPayload, saslClient } from "../accounts/helpers.ts";

let redis: TestRedis;
let nodes: TestNode[] = [];
let n = 0;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const node of nodes) await node.stop();
  nodes = [];
});

async function node(prefix: string): Promise<TestNode> {
  const t = await startNode(redis, { prefix });
  nodes.push(t);
  return t;
}

const claimed = (t: TestNode, folded: string): boolean =>
  t.running.core.accounts.store.get(folded, Date.now()) !== undefined;

test("a nick claimed on A is owned on B: B refuses it without the secret and logs its owner in with it", async () => {
  const prefix = `claims${++n}:`;
  const a = await node(prefix);
  const b = await node(prefix);
  const owner = await a.client("frank");
  owner.send("REGISTER * * frank-secret-1");
  await owner.expect(/ REGISTER SUCCESS frank /);
  owner.send("NICK frank_");
  await owner.expect(/ NICK :?frank_/);
  await until(() => claimed(b, "frank"));
  expect(claimed(b, "frank")).toBe(true);
  // The nick is free in Redis now, yet B knows it is owned.
  await until(() => b.running.core.registry.holder("frank") === undefined);

  const other = await b.client("someone");
  other.send("NICK frank");
  await other.expect(/ 433 someone frank /);
  const wrong = await TestClient.connect(b.running.port);
  wrong.send("CAP LS 302");
  wrong.send("NICK frank");
  wrong.send("USER frank 0 * :frank");
  wrong.send("CAP REQ :sasl");
  await wrong.expect(/ CAP \S+ ACK /);
  wrong.send("AUTHENTICATE PLAIN");
  await wrong.expect(/^AUTHENTICATE \+$/);
  wrong.send(`AUTHENTICATE ${plainPayload("frank", "not-the-secret")}`);
  await wrong.expect(/ 904 /);
  wrong.close();
  const back = await saslClient(b.running.port, "frank", "frank-secret-1");
  expect(back.lines.some((l) => / 903 /.test(l))).toBe(true);
  back.send("WHOIS frank");
  await back.expect(/ 330 frank frank frank /);

  // UNCLAIM on B frees it on A too.
  back.send("UNCLAIM");
  await back.expect(/ 901 frank /);
  back.close();
  await until(() => !claimed(a, "frank"));
  expect(claimed(a, "frank")).toBe(false);
  other.close();
  owner.close();
});

test("a node started later knows the claims made before it", async () => {
  const prefix = `claims${++n}:`;
  const a = await node(prefix);
  const owner = await a.client("gina");
  owner.send("REGISTER * * gina-secret-1");
  await owner.expect(/ REGISTER SUCCESS gina /);
  owner.close();
  const c = await node(prefix);
  await until(() => claimed(c, "gina"));
  const someone = await TestClient.connect(c.running.port);
  someone.send("NICK gina");
  someone.send("USER g 0 * :g");
  await someone.expect(/ 433 \* gina /);
  someone.close();
});
