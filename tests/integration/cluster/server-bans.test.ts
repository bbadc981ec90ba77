/**
 * Issue 14 point 3: server bans are network-wide. A K-line or D-line set on
 * node A removes the matching users of node B and refuses them there; a node
 * started later learns the bans in force; UNKLINE on A lifts it on B too.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { OperCredentials } from "../../../src/security/password.ts";
import { startNode, type TestNode, until } from "../../helpers/cluster.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";

let redis: TestRedis;
let nodes: TestNode[] = [];
let n = 0;
const opers = new OperCredentials([{ name: "root", password: "toor" }]).logins();
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

async function network(count: number): Promise<TestNode[]> {
  const prefix = `bans${++n}:`;
  for (let i = 0; i < count; i++) nodes.push(await startNode(redis, { prefix, opers }));
  return nodes;
}

async function operator(node: TestNode): Promise<TestClient> {
  const op = await node.client("root");
  op.send("OPER root toor");
  await op.expect(/ 381 root /);
  return op;
}

/** Try to register `nick` on `node`; the ban's 465 and the close are expected. */
async function refused(node: TestNode, nick: string, reason: RegExp): Promise<void> {
  const c = await TestClient.connect(node.running.port);
  c.send(`NICK ${nick}`);
  c.send("USER s 0 * :s");
  await c.expect(reason);
  await c.waitClosed();
}

test("a K-line set on A removes and refuses its user on B and on a node started later; UNKLINE lifts it everywhere", async () => {
  const [a, b] = (await network(2)) as [TestNode, TestNode];
  const spammer = await b.client("spammer");
  const op = await operator(a);
  op.send("KLINE spammer :selling things");
  await op.expect(/Banned spammer!\*@\* from the server \(selling things\)/);
  await spammer.expect(/ 465 .*selling things/);
  await spammer.waitClosed();
  await refused(b, "spammer", / 465 .*selling things/);

  const c = await startNode(redis, { prefix: `bans${n}:`, opers });
  nodes.push(c);
  await until(() => c.running.core.admission.listBans("mask").length > 0);
  await refused(c, "spammer", / 465 .*selling things/);
  // Someone else is fine.
  (await c.client("fine")).close();

  op.send("UNKLINE spammer");
  await op.expect(/Lifted the ban on spammer!\*@\*/);
  await until(() => b.running.core.admission.listBans("mask").length === 0);
  const back = await b.client("spammer");
  back.close();
});

test("a D-line set on A disconnects B's users from that address (the operator is exempt)", async () => {
  const [a, b] = (await network(2)) as [TestNode, TestNode];
  const local = await b.client("local");
  const op = await operator(a);
  op.send("DLINE 127.0.0.0/8 :no locals");
  await op.expect(/Banned 127\.0\.0\.0\/8 from the server/);
  await local.expect(/ERROR :.*no locals/);
  await local.waitClosed();
  const c = await TestClient.connect(b.running.port);
  await c.expect(/^ERROR :You are banned from this server: no locals$/);
  await c.waitClosed();
  op.send("PING still");
  await op.expect(/PONG .*still/);
  expect(a.running.core.admission.listBans("ip").length).toBe(1);
});
