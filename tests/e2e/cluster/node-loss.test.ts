/**
 * Issue 14: kill -9 of a node running as the compiled binary. The other node
 * shows its users quitting with "node lost" after --node-ttl, and a `chat
 * join` user of the dead node, behind a TCP relay standing in for the load
 * balancer, reconnects by itself to the live node and catches up on what was
 * said while it was away.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ensureChatBinary } from "../../helpers/binary.ts";
import { until } from "../../helpers/cluster.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";
import { type ServeProcess, serveCommand, spawnServe } from "../../helpers/serve-process.ts";
import { bin, makeHome, Relay } from "../client/harness.ts";

let redis: TestRedis;
const home = makeHome();
beforeAll(async () => {
  ensureChatBinary();
  redis = await startTestRedis();
}, 120_000);
afterAll(async () => {
  await redis.stop();
  home.cleanup();
});

const node = (): Promise<ServeProcess> =>
  spawnServe(
    serveCommand(
      ["--db", ":memory:", "--no-flood-limit", "--redis", redis.url, "--node-ttl", "2"],
      "binary",
    ),
    { env: home.env },
  );

test("kill -9 of a node: its users quit with 'node lost', and chat join moves to the live node and catches up", async () => {
  const a = await node();
  const b = await node();
  const relay = new Relay(b.port);
  relay.start();
  const piper = Bun.spawn([bin, "join", `127.0.0.1:${relay.port}`, "--nick", "piper"], {
    env: home.env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const killer = setTimeout(() => piper.kill("SIGKILL"), 60_000);
  const alice = await TestClient.connect(a.port);
  try {
    await alice.register("alice");
    alice.send("JOIN #lobby");
    await alice.expect(/ 366 alice #lobby /);
    await alice.expect(/:piper!\S+ JOIN #lobby/, 20_000);
    piper.stdin.write("before the crash\n");
    await piper.stdin.flush();
    await alice.expect(/:piper!\S+ PRIVMSG #lobby :before the crash$/);

    // The load balancer now sends new connections to the live node only.
    relay.point(a.port);
    b.proc.kill("SIGKILL");
    await b.exited;
    const mark = alice.lines.length;
    alice.send("PRIVMSG #lobby :said while you were gone");
    // Two things happen in either order: the dead node's piper quits after the
    // TTL, and chat join, back through the relay, joins again (as piper_ while
    // the dead node's nick key has not expired yet, then taking piper back).
    const since = (re: RegExp): boolean => alice.lines.slice(mark).some((l) => re.test(l));
    await until(() => since(/:piper!\S+ QUIT :node lost$/), 15_000);
    expect(since(/:piper!\S+ QUIT :node lost$/)).toBe(true);
    await until(() => since(/:piper\S*!\S+ JOIN #lobby/), 30_000);
    expect(since(/:piper\S*!\S+ JOIN #lobby/)).toBe(true);
    piper.stdin.write("after the crash\n");
    await piper.stdin.flush();
    await alice.expect(/:piper\S*!\S+ PRIVMSG #lobby :after the crash$/, 15_000);
    await piper.stdin.end();
    const [stdout, stderr, code] = await Promise.all([
      new Response(piper.stdout).text(),
      new Response(piper.stderr).text(),
      piper.exited,
    ]);
    expect(code === 0 ? "" : stderr).toBe("");
    // The catch-up came from the live node's history: once, marked as history.
    expect(stdout).toMatch(/^\d\d:\d\d~ <alice> said while you were gone$/m);
    expect(stdout.split("said while you were gone").length).toBe(2);
  } finally {
    clearTimeout(killer);
    if (piper.exitCode === null) piper.kill("SIGKILL");
    alice.close();
    relay.stop();
    await a.stop("SIGTERM");
    await b.stop("SIGKILL");
  }
}, 90_000);
