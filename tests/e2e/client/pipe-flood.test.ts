/**
 * A script piping a long file into `chat join` must not be thrown off a server
 * that enforces flood limits: the client keeps no more lines in flight than the
 * server's burst and backlog allow, and the server's throttling paces it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { ensureBinary, makeHome, runPipe } from "./harness.ts";

const home = makeHome();
let server: TestServer;

beforeAll(async () => {
  ensureBinary();
  // Default burst (20) and backlog (50); a fast refill keeps the test short.
  server = await startTestServer({ limits: { floodRate: 200 } });
}, 120_000);

afterAll(async () => {
  await server.stop();
  home.cleanup();
});

test("300 piped lines through a flood-limited server all arrive, in order, and the client exits 0", async () => {
  const watcher = await server.client("watcher");
  watcher.send("JOIN #lobby");
  await watcher.expect(/ 366 watcher #lobby /, 5000);
  const lines = Array.from({ length: 300 }, (_, i) => `line ${i}`);
  const r = await runPipe(
    ["join", `127.0.0.1:${server.port}`, "--nick", "bulk"],
    home.env,
    `${lines.join("\n")}\n`,
    15_000,
  );
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  await watcher.expect(/:bulk!\S+ PRIVMSG #lobby :line 299$/, 5000);
  const got = watcher.lines
    .map((l) => /^:bulk!\S+ PRIVMSG #lobby :(.*)$/.exec(l)?.[1])
    .filter((t): t is string => t !== undefined);
  expect(got).toEqual(lines);
}, 30_000);
