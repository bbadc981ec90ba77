/**
 * Two nodes over one real redis-server behave as one server: IRC clients on
 * different nodes talk in rooms and privately, see each other's JOIN, PART,
 * KICK, TOPIC, MODE, INVITE, AWAY and NICK, and see the whole network in
 * NAMES, WHO, WHOIS and LUSERS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startNode, type TestNode, until } from "../../helpers/cluster.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";

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

/** Two nodes of a fresh network (own key prefix). */
async function network(): Promise<[TestNode, TestNode]> {
  const prefix = `net${++n}:`;
  const a = await startNode(redis, { prefix });
  const b = await startNode(redis, { prefix });
  nodes.push(a, b);
  return [a, b];
}

/** Wait until `node` knows the room exists (someone elsewhere opened it), so a join there is not a second opener. */
async function opened(node: TestNode, room: string): Promise<void> {
  await until(() => (node.running.core.registry.room(room)?.members.size ?? 0) > 0);
}

async function inRoom(c: TestClient, room: string): Promise<void> {
  c.send(`JOIN ${room}`);
  await c.expect(new RegExp(` 366 \\S+ ${room} `));
}

describe("two nodes, one network", () => {
  test("room and private messages cross both ways", async () => {
    const [a, b] = await network();
    const alice = await a.client("alice");
    const bob = await b.client("bob");
    await inRoom(alice, "#r");
    await opened(b, "#r");
    await inRoom(bob, "#r");
    await alice.expect(/:bob!\S+ JOIN #r/);
    alice.send("PRIVMSG #r :hello from a");
    await bob.expect(/:alice!\S+ PRIVMSG #r :hello from a$/);
    bob.send("PRIVMSG #r :hello from b");
    await alice.expect(/:bob!\S+ PRIVMSG #r :hello from b$/);
    alice.send("PRIVMSG bob :just you");
    await bob.expect(/:alice!\S+ PRIVMSG bob :just you$/);
    bob.send("NOTICE alice :back at you");
    await alice.expect(/:bob!\S+ NOTICE alice :back at you$/);
  });

  test("NAMES, WHO, WHOIS and LUSERS show the whole network", async () => {
    const [a, b] = await network();
    const alice = await a.client("alice");
    const bob = await b.client("bob", { realname: "Bob B" });
    await inRoom(alice, "#r");
    await opened(b, "#r");
    await inRoom(bob, "#r");
    await alice.expect(/:bob!\S+ JOIN #r/);
    alice.send("NAMES #r");
    await alice.expect(/ 353 alice = #r :@alice bob$/);
    alice.send("WHOIS bob");
    await alice.expect(/ 311 alice bob ~bob \S+ \* :Bob B$/);
    await alice.expect(/ 319 alice bob :#r$/);
    alice.send("WHO #r");
    await alice.expect(/ 352 alice #r ~bob \S+ \S+ bob H :0 Bob B$/);
    alice.send("LUSERS");
    await alice.expect(/ 251 alice :There are 2 users/);
    // Someone in no room at all is still on the network.
    const carol = await b.client("carol");
    carol.send("PRIVMSG alice :hi");
    await alice.expect(/:carol!\S+ PRIVMSG alice :hi$/);
    alice.send("WHOIS carol");
    await alice.expect(/ 311 alice carol /);
    alice.send("NICK carol");
    await alice.expect(/ 433 alice carol /);
  });

  test("JOIN, PART, TOPIC, MODE, KICK, INVITE, AWAY and NICK across nodes", async () => {
    const [a, b] = await network();
    const alice = await a.client("alice", { caps: ["away-notify"] });
    const bob = await b.client("bob");
    await inRoom(alice, "#r");
    await opened(b, "#r");
    await inRoom(bob, "#r");
    await alice.expect(/:bob!\S+ JOIN #r/);

    alice.send("TOPIC #r :our topic");
    await bob.expect(/:alice!\S+ TOPIC #r :our topic$/);
    bob.send("TOPIC #r");
    await bob.expect(/ 332 bob #r :our topic$/);

    // alice is op (first in); the other node knows it: she can op bob there.
    alice.send("MODE #r +o bob");
    await bob.expect(/:alice!\S+ MODE #r \+o bob$/);
    bob.send("MODE #r +m");
    await alice.expect(/:bob!\S+ MODE #r \+m$/);

    bob.send("AWAY :lunch");
    await alice.expect(/:bob!\S+ AWAY :lunch$/);
    alice.send("PRIVMSG bob :u there");
    await alice.expect(/ 301 alice bob :lunch$/);

    bob.send("NICK robert");
    await alice.expect(/:bob!\S+ NICK :?robert$/);
    alice.send("WHOIS robert");
    await alice.expect(/ 311 alice robert /);

    alice.send("KICK #r robert :out");
    await bob.expect(/:alice!\S+ KICK #r robert :out$/);
    alice.send("NAMES #r");
    await alice.expect(/ 353 alice = #r :@alice$/);
    bob.send("NAMES #r");
    await bob.expect(/ 353 robert = #r :@alice$/);

    alice.send("MODE #r +i");
    await alice.expect(/MODE #r \+i$/);
    // bob is out of the room and sees no MODE: wait until his node has it.
    await until(() => b.running.core.registry.room("#r")?.flags.has("i") === true);
    bob.send("JOIN #r");
    await bob.expect(/ 473 robert #r /);
    alice.send("INVITE robert #r");
    await bob.expect(/:alice!\S+ INVITE robert :?#r$/);
    bob.send("JOIN #r");
    await alice.expect(/:robert!\S+ JOIN #r/);

    bob.send("PART #r :bye");
    await alice.expect(/:robert!\S+ PART #r :bye$/);
  });

  test("two people opening one room on two nodes at once are both op, the same on both nodes", async () => {
    const [a, b] = await network();
    const alice = await a.client("alice");
    const bob = await b.client("bob");
    alice.send("JOIN #both");
    bob.send("JOIN #both");
    await alice.expect(/:bob!\S+ JOIN #both/);
    await bob.expect(/:alice!\S+ JOIN #both/);
    alice.send("NAMES #both");
    const onA = await alice.expect(/ 353 alice = #both :/);
    bob.send("NAMES #both");
    const onB = await bob.expect(/ 353 bob = #both :/);
    const ops = (line: string): string[] => (line.split(" :")[1] ?? "").split(" ").sort();
    expect(ops(onA)).toEqual(ops(onB));
  });

  test("an operator on one node KILLs a user on the other: that node disconnects them", async () => {
    const prefix = `kill${++n}:`;
    const opers = [{ name: "root", verify: (p: string) => p === "pw" }];
    const a = await startNode(redis, { prefix, opers });
    const b = await startNode(redis, { prefix });
    nodes.push(a, b);
    const alice = await a.client("alice");
    const bob = await b.client("bob");
    const carol = await b.client("carol");
    await inRoom(alice, "#r");
    await opened(b, "#r");
    await inRoom(bob, "#r");
    await inRoom(carol, "#r");
    await alice.expect(/:carol!\S+ JOIN #r/);
    alice.send("OPER root pw");
    await alice.expect(/ 381 alice /);
    alice.send("KILL bob :spam");
    await bob.expect(/^ERROR :.*Killed by alice \(spam\)/);
    await bob.waitClosed();
    await carol.expect(/:bob!\S+ QUIT :Killed by alice \(spam\)$/);
    await alice.expect(/:bob!\S+ QUIT :Killed by alice \(spam\)$/);
    await until(() => a.running.core.registry.user("bob") === undefined);
    expect(b.running.core.registry.user("bob")).toBeUndefined();
  });

  test("a node started later learns who is already there", async () => {
    const prefix = `late${++n}:`;
    const a = await startNode(redis, { prefix });
    nodes.push(a);
    const alice = await a.client("alice");
    await inRoom(alice, "#r");
    alice.send("TOPIC #r :set early");
    await alice.expect(/TOPIC #r :set early$/);
    const b = await startNode(redis, { prefix });
    nodes.push(b);
    const bob = await b.client("bob");
    await until(() => b.running.core.registry.user("alice") !== undefined);
    await inRoom(bob, "#r");
    bob.send("NAMES #r");
    await bob.expect(/ 353 bob = #r :@alice bob$/);
    bob.send("TOPIC #r");
    await bob.expect(/ 332 bob #r :set early$/);
    bob.send("NICK alice");
    await bob.expect(/ 433 bob alice /);
  });
});
