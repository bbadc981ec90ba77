/**
 * `chat serve --metrics` in the compiled binary: the banner says where, a
 * scrape parses and shows the store size; a port already taken is one line
 * on stderr and exit status 2.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHAT_BINARY, ensureChatBinary } from "../helpers/binary.ts";
import { TestClient } from "../helpers/irc-client.ts";
import { parsePrometheus, sampleValue } from "../helpers/prometheus.ts";
import { serveCommand, spawnServe } from "../helpers/serve-process.ts";

beforeAll(ensureChatBinary, 120_000);
const dir = mkdtempSync(join(tmpdir(), "chat-metrics-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const METRICS_LINE = /Metrics: http:\/\/127\.0\.0\.1:(\d+)\/metrics/;

describe("chat serve --metrics (compiled binary)", () => {
  test("serves Prometheus text with the store size, and /healthz", async () => {
    const db = join(dir, "m.db");
    const server = await spawnServe(
      serveCommand(["--db", db, "--metrics", "127.0.0.1:0", "--quiet"], "binary"),
      { readyWhen: METRICS_LINE },
    );
    try {
      const port = Number(METRICS_LINE.exec(server.output())?.[1]);
      const c = await TestClient.connect(server.port);
      await c.register("alice");
      c.send("JOIN #e2e");
      c.send("PRIVMSG #e2e :counted");
      c.send("PING :sync");
      await c.expect(/PONG .*sync/);
      const m = parsePrometheus(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      expect(sampleValue(m, "chat_messages_received_total")).toBe(1);
      expect(sampleValue(m, "chat_registered_users")).toBe(1);
      expect(sampleValue(m, "chat_store_size_bytes")).toBeGreaterThan(0);
      expect(sampleValue(m, "process_open_fds")).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      c.close();
    } finally {
      await server.stop();
    }
  });

  test("a metrics port already taken: one line on stderr, exit status 2", async () => {
    const blocker = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    try {
      const r = Bun.spawnSync(
        [
          CHAT_BINARY,
          "serve",
          "--host",
          "127.0.0.1",
          "--port",
          "0",
          "--db",
          ":memory:",
          "--metrics",
          `127.0.0.1:${blocker.port}`,
        ],
        { stdout: "pipe", stderr: "pipe", timeout: 15_000 },
      );
      expect(r.exitCode).toBe(2);
      expect(r.stderr.toString()).toBe(
        `chat: cannot serve metrics on 127.0.0.1:${blocker.port}: port ${blocker.port} is already in use; pick another with --metrics HOST:PORT\n`,
      );
    } finally {
      void blocker.stop(true);
    }
  });

  test("a bad --metrics address is a usage error (exit 2)", () => {
    const r = Bun.spawnSync([CHAT_BINARY, "serve", "--metrics", "localhost:http"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain("--metrics must be [HOST:]PORT");
  });
});
