/**
 * The cluster under contention and failure, with a real redis-server: a nick
 * race between many clients on two nodes, CHATHISTORY equal on both nodes, a
 * node that dies without a word, and a Redis restart.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startNode, type TestNode, until } from "../../helpers/cluster.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";

let redis: TestRedis;
let nodes: TestNode[] = [];
let extra: TestClient[] = [];
let n = 0;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const c of extra) c.close();
  extra = [];
  for (const node of nodes) await node.stop();
  nodes = [];
});

async function network(r: TestRedis = redis): Promise<[TestNode, TestNode]> {
  const prefix = `f${++n}:`;
  const a = await startNode(r, { prefix });
  const b = await startNode(r, { prefix });
  nodes.push(a, b);
  return [a, b];
}

async function inRoom(c: TestClient, room: string): Promise<void> {
  c.send(`JOIN ${room}`);
  await c.expect(new RegExp(` 366 \\S+ ${room} `));
}

/** Register a raw client as `nick` (no waiting), for races. */
async function rawClient(port: number, nick: string): Promise<TestClient> {
  const c = await TestClient.connect(port);
  extra.push(c);
  c.send(`NICK ${nick}`);
  c.send(`USER u 0 * :u`);
  return c;
}

/** The nick `c` ends up with: 001's target, then any NICK it was given. */
async function finalNick(c: TestClient): Promise<string | undefined> {
  let nick: string | undefined;
  for (const line of c.lines) {
    const welcome = / 001 (\S+) /.exec(line);
    if (welcome?.[1] !== undefined) nick = welcome[1];
    const renamed =
      nick !== undefined ? new RegExp(`^:${nick}!\\S+ NICK :?(\\S+)$`).exec(line) : null;
    if (renamed?.[1] !== undefined) nick = renamed[1];
  }
  return nick;
}

describe("the cluster under contention and failure", () => {
  test("many clients on both nodes claim one nick at once: exactly one keeps it", async () => {
    const [a, b] = await network();
    const clients = await Promise.all(
      Array.from({ length: 10 }, (_, i) => rawClient(i % 2 === 0 ? a.port : b.port, "prize")),
    );
    // Each one ends up welcomed (under some nick) or refused with 433 and unregistered.
    await until(() => clients.every((c) => c.lines.some((l) => / (001|433) /.test(l))), 5000);
    // Let the claims in Redis settle (a loser across nodes is renamed).
    await until(
      () =>
        a.running.core.registry.user("prize") !== undefined &&
        b.running.core.registry.user("prize") !== undefined,
    );
    await Bun.sleep(300);
    const finals = await Promise.all(clients.map(finalNick));
    expect(finals.filter((x) => x?.toLowerCase() === "prize").length).toBe(1);
    // Both nodes agree on who holds it.
    const onA = a.running.core.registry.user("prize");
    const onB = b.running.core.registry.user("prize");
    expect(onA).toBeDefined();
    expect(onB).toBeDefined();
    expect((onA?.id ?? 0) > 0).not.toBe((onB?.id ?? 0) > 0); // a real session on one node, a replica on the other
  });

  test("CHATHISTORY answers the same on both nodes", async () => {
    const [a, b] = await network();
    const caps = ["batch", "server-time", "message-tags", "draft/chathistory"];
    const alice = await a.client("alice", { caps });
    const bob = await b.client("bob", { caps });
    await inRoom(alice, "#h");
    await inRoom(bob, "#h");
    await alice.expect(/:bob!\S+ JOIN #h/);
    for (let i = 0; i < 10; i++) {
      const who = i % 2 === 0 ? alice : bob;
      who.send(`PRIVMSG #h :line ${i}`);
      // One at a time, each seen on the other node, so the order is the same everywhere.
      await (who === alice ? bob : alice).expect(new RegExp(`PRIVMSG #h :line ${i}$`));
    }
    const history = async (c: TestClient): Promise<string[]> => {
      c.send("CHATHISTORY LATEST #h * 50");
      const open = await c.expect(/ BATCH \+\S+ chathistory/);
      const id = /BATCH \+(\S+)/.exec(open)?.[1] ?? "";
      const lines: string[] = [];
      for (let i = 0; i < 100; i++) {
        const line = await c.expect(/./);
        if (line.includes(`BATCH -${id}`)) break;
        lines.push(line.replace(/^@\S+ /, (tags) => tags.replace(/batch=[^;\s]+;?/, "")));
      }
      return lines;
    };
    const fromA = await history(alice);
    const fromB = await history(bob);
    expect(fromA.length).toBe(10);
    expect(fromB).toEqual(fromA);
    // Ordered by server time; lines sent within the same millisecond on two nodes are
    // ordered by msgid (the same on every node), so compare the order up to that.
    const stamp = (l: string): string => /time=([^;\s]+)/.exec(l)?.[1] ?? "";
    const byTime = [...fromA].sort((x, y) =>
      stamp(x) < stamp(y) ? -1 : stamp(x) > stamp(y) ? 1 : 0,
    );
    expect(fromA.map(stamp)).toEqual(byTime.map(stamp));
    expect(fromA.map((l) => Number(/ :line (\d+)$/.exec(l)?.[1])).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
  });

  test("a node that dies: its users quit elsewhere with 'node lost', their nicks free up", async () => {
    const [a, b] = await network();
    const alice = await a.client("alice");
    const bob = await b.client("bob");
    await inRoom(alice, "#r");
    await inRoom(bob, "#r");
    await alice.expect(/:bob!\S+ JOIN #r/);
    await b.crash();
    await alice.expect(/:bob!\S+ QUIT :node lost$/, 5000);
    alice.send("NAMES #r");
    await alice.expect(/ 353 alice = #r :@alice$/);
    // bob reconnects to the live node and takes his nick back (Redis key expired with the node).
    const again = await TestClient.connect(a.port);
    extra.push(again);
    again.send("NICK bob");
    again.send("USER bob 0 * :bob");
    await again.expect(/ 001 bob /);
    await Bun.sleep(300);
    expect(await finalNick(again)).toBe("bob");
  });

  test("a Redis restart: nodes keep their users, reconnect, re-assert nicks, lose no message", async () => {
    const own = await startTestRedis();
    try {
      const [a, b] = await network(own);
      const alice = await a.client("alice");
      const bob = await b.client("bob");
      await inRoom(alice, "#r");
      await inRoom(bob, "#r");
      await alice.expect(/:bob!\S+ JOIN #r/);
      await own.kill();
      // Sent while Redis is down: the sender's node holds it and sends it later.
      alice.send("PRIVMSG #r :during the outage");
      await Bun.sleep(200);
      await own.start();
      await bob.expect(/:alice!\S+ PRIVMSG #r :during the outage$/, 10_000);
      bob.send("PRIVMSG #r :after");
      await alice.expect(/:bob!\S+ PRIVMSG #r :after$/, 10_000);
      // Nobody quit, and both nicks are claimed again in the fresh Redis.
      expect(await alice.sees(/ QUIT /, 300)).toBe(false);
      const keys = async (): Promise<string[]> =>
        ((await a.bus.redis.send("KEYS", [`f${n}:nick:*`])) as string[]).sort();
      for (let i = 0; i < 50 && (await keys()).length < 2; i++) await Bun.sleep(50);
      expect(await keys()).toEqual([`f${n}:nick:alice`, `f${n}:nick:bob`]);
      expect(alice.lines.filter((l) => l.includes(":during the outage")).length).toBe(0);
      expect(bob.lines.filter((l) => l.includes(":during the outage")).length).toBe(1);
    } finally {
      for (const node of nodes) await node.stop();
      nodes = [];
      await own.stop();
    }
  }, 30_000);
});
