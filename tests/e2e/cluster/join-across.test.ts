/**
 * Issue 14: `chat join` across nodes. Two compiled `chat serve --redis` nodes;
 * a long-running `chat join` on node A reads what a `chat join --once` on
 * node B says in #lobby, and an IRC client on B sees A's reply. (The plain
 * front across nodes is in serve-redis.test.ts.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ensureChatBinary } from "../../helpers/binary.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";
import { type ServeProcess, serveCommand, spawnServe } from "../../helpers/serve-process.ts";
import { bin, makeHome, runPipe } from "../client/harness.ts";

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
    serveCommand(["--db", ":memory:", "--no-flood-limit", "--redis", redis.url], "binary"),
    { env: home.env },
  );

test("chat join on node A and chat join --once on node B talk in #lobby", async () => {
  const a = await node();
  const b = await node();
  const reader = Bun.spawn([bin, "join", `127.0.0.1:${a.port}`, "--nick", "reader"], {
    env: home.env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const killer = setTimeout(() => reader.kill("SIGKILL"), 60_000);
  const bob = await TestClient.connect(b.port);
  try {
    await bob.register("bob");
    bob.send("JOIN #lobby");
    await bob.expect(/ 366 bob #lobby /);
    await bob.expect(/:reader!\S+ JOIN #lobby/, 20_000);

    const once = await runPipe(
      ["join", `127.0.0.1:${b.port}`, "--nick", "writer", "--once"],
      home.env,
      "hello from node B\n",
    );
    expect(once.code === 0 ? "" : once.stderr).toBe("");
    await bob.expect(/:writer!\S+ PRIVMSG #lobby :hello from node B$/);

    reader.stdin.write("answer from node A\n");
    await reader.stdin.flush();
    await bob.expect(/:reader!\S+ PRIVMSG #lobby :answer from node A$/);
    await reader.stdin.end();
    const [stdout, code] = await Promise.all([new Response(reader.stdout).text(), reader.exited]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d\d:\d\d <writer> hello from node B$/m);
  } finally {
    clearTimeout(killer);
    if (reader.exitCode === null) reader.kill("SIGKILL");
    bob.close();
    await a.stop("SIGTERM");
    await b.stop("SIGTERM");
  }
}, 90_000);
