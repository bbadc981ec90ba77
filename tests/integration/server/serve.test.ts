/**
 * `chat serve` as a process: where it listens, its log lines, a clean stop on
 * SIGTERM/SIGINT that tells clients, and room state + history surviving a restart.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { TestClient } from "../../helpers/irc-client.ts";

const MAIN = join(import.meta.dir, "..", "..", "..", "src", "main.ts");
const procs: Subprocess<"ignore", "pipe", "pipe">[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill("SIGKILL");
    await p.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Served {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  stdout: string;
}

/** Spawn `chat serve` and wait (bounded) for the HOST:PORT line. */
async function serve(args: string[]): Promise<Served> {
  const proc = Bun.spawn(
    [process.execPath, MAIN, "serve", "--host", "127.0.0.1", "--port", "0", ...args],
    {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  procs.push(proc);
  const reader = proc.stdout.getReader();
  let seen = "";
  const timeout = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`chat serve exited before listening: ${seen}`);
      seen += new TextDecoder().decode(value);
      const m = /127\.0\.0\.1:(\d+)/.exec(seen);
      if (m?.[1] && seen.includes("\n")) return { proc, port: Number(m[1]), stdout: seen };
    }
  } finally {
    clearTimeout(timeout);
    reader.releaseLock();
  }
}

async function stderrOf(proc: Subprocess<"ignore", "pipe", "pipe">): Promise<string> {
  return new Response(proc.stderr).text();
}

describe("chat serve", () => {
  test("prints where it listens, logs connects, and stops cleanly on SIGTERM", async () => {
    const s = await serve(["--db", ":memory:"]);
    expect(s.stdout).toContain(`chat join 127.0.0.1:${s.port}`);
    const q = await TestClient.connect(s.port);
    await q.register("quitter");
    q.send("QUIT :bye");
    await q.waitClosed();
    const c = await TestClient.connect(s.port);
    await c.register("alice");
    s.proc.kill("SIGTERM");
    await c.expect(/^ERROR :Server shutting down/);
    await c.waitClosed();
    expect(await s.proc.exited).toBe(0);
    const log = await stderrOf(s.proc);
    expect(log).toMatch(/connect 127\.0\.0\.1/);
    expect(log).toMatch(/disconnect 127\.0\.0\.1 .*quitter.*Quit: bye/);
    expect(log).toMatch(/disconnect 127\.0\.0\.1 .*alice.*Server shutting down/);
  });

  test("--name and --network set the prefix, the welcome and NETWORK; --max-per-ip caps an address", async () => {
    const s = await serve([
      "--db",
      ":memory:",
      "--quiet",
      "--name",
      "irc.example.org",
      "--network",
      "ExampleNet",
      "--max-per-ip",
      "1",
    ]);
    const c = await TestClient.connect(s.port);
    c.send("NICK alice");
    c.send("USER alice 0 * :Alice");
    expect(await c.expect(/ 001 /)).toMatch(
      /^:irc\.example\.org 001 alice :Welcome to the ExampleNet IRC network, alice!/,
    );
    expect(await c.expect(/ 005 .*NETWORK=/)).toMatch(
      /^:irc\.example\.org 005 alice .*NETWORK=ExampleNet /,
    );
    const second = await TestClient.connect(s.port);
    await second.expect(/^ERROR :.*Too many connections from your address \(limit 1\)/);
    c.close();
    s.proc.kill("SIGTERM");
    expect(await s.proc.exited).toBe(0);
  });

  test("--quiet logs nothing; SIGINT also stops with exit status 0", async () => {
    const s = await serve(["--db", ":memory:", "--quiet"]);
    const c = await TestClient.connect(s.port);
    await c.register("bob");
    c.close();
    s.proc.kill("SIGINT");
    expect(await s.proc.exited).toBe(0);
    expect(await stderrOf(s.proc)).toBe("");
  });

  test("topic, modes and history survive a restart with --db", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-serve-"));
    dirs.push(dir);
    const db = join(dir, "chat.db");
    const first = await serve(["--db", db, "--quiet"]);
    const a = await TestClient.connect(first.port);
    await a.register("alice");
    a.send("JOIN #keep");
    await a.expect(/ 366 alice #keep /);
    a.send("TOPIC #keep :kept across restarts");
    a.send("MODE #keep +m");
    a.send("PRIVMSG #keep :remember me ✓");
    a.send("PING done");
    await a.expect("PONG");
    first.proc.kill("SIGTERM");
    expect(await first.proc.exited).toBe(0);

    const second = await serve(["--db", db, "--quiet"]);
    const b = await TestClient.connect(second.port);
    await b.register("bob");
    b.send("JOIN #keep");
    await b.expect(/ 332 bob #keep :kept across restarts$/);
    await b.expect(/PRIVMSG #keep :remember me ✓$/);
    b.send("MODE #keep");
    await b.expect(/ 324 bob #keep :\+mnt$/);
    b.close();
  });
});
