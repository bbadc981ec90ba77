/**
 * The compiled binary as cluster nodes: two `dist/chat serve --redis`
 * processes over a real redis-server form one network, also when they share
 * one port with --reuse-port; an unreachable Redis is a clear start-up error.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createServer } from "node:net";
import { ensureChatBinary } from "../../helpers/binary.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";
import { type ServeProcess, serveCommand, spawnServe } from "../../helpers/serve-process.ts";
import { LineClient } from "../../integration/plain/harness.ts";

let redis: TestRedis;
beforeAll(async () => {
  ensureChatBinary();
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr !== null ? addr.port : 0));
    });
  });
}

const node = (args: string[], port = 0): Promise<ServeProcess> =>
  spawnServe(serveCommand(["--db", ":memory:", "--redis", redis.url, ...args], "binary", port));

test("two binaries with --redis: a room and a private message cross between them", async () => {
  const a = await node([]);
  const b = await node([]);
  const clients: TestClient[] = [];
  try {
    expect(a.output()).toContain(`Node of the network at ${redis.url}`);
    const alice = await TestClient.connect(a.port);
    const bob = await TestClient.connect(b.port);
    clients.push(alice, bob);
    await alice.register("alice");
    await bob.register("bob");
    alice.send("JOIN #x");
    await alice.expect(/ 366 alice #x /);
    bob.send("JOIN #x");
    await alice.expect(/:bob!\S+ JOIN #x/);
    bob.send("PRIVMSG #x :across processes");
    await alice.expect(/:bob!\S+ PRIVMSG #x :across processes$/);
    alice.send("PRIVMSG bob :and back");
    await bob.expect(/:alice!\S+ PRIVMSG bob :and back$/);
    // A clean stop: the other node shows its users leaving at once.
    await b.stop("SIGTERM");
    await alice.expect(/:bob!\S+ QUIT :/, 5000);
  } finally {
    for (const c of clients) c.close();
    await a.stop("SIGTERM");
    await b.stop("SIGTERM");
  }
}, 30_000);

test("a human on nc on one node and an IRC client on the other share #lobby", async () => {
  const a = await node([]);
  const b = await node([]);
  const alice = await TestClient.connect(a.port);
  const ann = await LineClient.connect(b.port);
  try {
    await alice.register("alice");
    alice.send("JOIN #lobby");
    await alice.expect(/ 366 alice #lobby /);
    ann.send("ann");
    await ann.waitFor("*** Hello ann!");
    await alice.expect(/:ann!\S+ JOIN #lobby/);
    ann.send("hello from nc");
    await alice.expect(/:ann!\S+ PRIVMSG #lobby :hello from nc$/);
    alice.send("PRIVMSG #lobby :hi ann");
    const line = await ann.waitFor("hi ann");
    expect(line).toContain("alice");
  } finally {
    alice.close();
    ann.close();
    await a.stop("SIGTERM");
    await b.stop("SIGTERM");
  }
}, 30_000);

test("--reuse-port: two nodes share one port and whoever lands where, they are one network", async () => {
  const port = await freePort();
  const a = await node(["--reuse-port"], port);
  const b = await node(["--reuse-port"], port);
  const clients: TestClient[] = [];
  try {
    expect(a.port).toBe(port);
    expect(b.port).toBe(port);
    for (let i = 0; i < 6; i++) {
      const c = await TestClient.connect(port);
      clients.push(c);
      await c.register(`u${i}`);
      c.send("JOIN #shared");
      await c.expect(/ 366 \S+ #shared /);
    }
    const last = clients[5] as TestClient;
    // The other node's JOINs reach this node's replica a moment later: ask until they have.
    let names = "";
    for (
      let i = 0;
      i < 50 && !/ 353 u5 = #shared :(?=.*u0)(?=.*u1)(?=.*u2)(?=.*u3)(?=.*u4)/.test(names);
      i++
    ) {
      last.send("NAMES #shared");
      names = await last.expect(/ 353 u5 = #shared :/);
      await Bun.sleep(20);
    }
    for (let i = 0; i < 6; i++) expect(names).toMatch(new RegExp(`[ :@]u${i}( |$)`));
    (clients[0] as TestClient).send("PRIVMSG #shared :everyone");
    for (const c of clients.slice(1)) await c.expect(/:u0!\S+ PRIVMSG #shared :everyone$/);
  } finally {
    for (const c of clients) c.close();
    await a.stop("SIGTERM");
    await b.stop("SIGTERM");
  }
}, 30_000);

test("an unreachable Redis stops chat serve at start with a message naming it", async () => {
  const p = Bun.spawn(
    serveCommand(["--db", ":memory:", "--redis", "redis://127.0.0.1:1"], "binary"),
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const code = await p.exited;
  const err = await new Response(p.stderr).text();
  expect(code).not.toBe(0);
  expect(err).toContain("cannot reach Redis at redis://127.0.0.1:1");
}, 30_000);
