/**
 * `chat admin` in the compiled binary against a running `chat serve` (also
 * the compiled binary) on a real SQLite file: moderation through the admin
 * socket, a backup and an export while the server runs, and one clear line
 * when no server is running.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminRequest } from "../../src/cli/admin-client.ts";
import { CHAT_BINARY, ensureChatBinary } from "../helpers/binary.ts";
import { TestClient } from "../helpers/irc-client.ts";
import { serveCommand, spawnServe } from "../helpers/serve-process.ts";

beforeAll(ensureChatBinary, 120_000);
const dir = mkdtempSync(join(tmpdir(), "chat-admin-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function admin(...args: string[]): Promise<Run> {
  const proc = Bun.spawn([CHAT_BINARY, "admin", ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

describe("chat admin (compiled binary)", () => {
  test("rooms, users, kick, ban, backup and export against a running server", async () => {
    const db = join(dir, "live.db");
    const server = await spawnServe(serveCommand(["--db", db, "--quiet"], "binary"), {
      readyWhen: /Admin socket: /,
    });
    const clients: TestClient[] = [];
    try {
      expect(server.output()).toContain(`Admin socket: ${join(dir, "live.sock")}`);
      const alice = await TestClient.connect(server.port);
      const bob = await TestClient.connect(server.port);
      clients.push(alice, bob);
      await alice.register("alice");
      await bob.register("bob");
      for (const c of [alice, bob]) {
        c.send("JOIN #ops");
        await c.expect(/ 366 /);
      }
      alice.send("PRIVMSG #ops :first words");
      alice.send("PRIVMSG #ops :\x01ACTION waves\x01");
      await bob.expect(/waves/);

      const rooms = await admin("rooms", "--db", db);
      expect(rooms.code).toBe(0);
      expect(rooms.stdout.split("\n")[1]).toMatch(/^#ops\s+2$/);
      const users = await admin("users", "--db", db, "--json");
      expect(users.code).toBe(0);
      const list = JSON.parse(users.stdout) as { nick: string }[];
      expect(list.map((u) => u.nick).sort()).toEqual(["alice", "bob"]);

      const kick = await admin("kick", "#ops", "bob", "--reason", "take a break", "--db", db);
      expect(kick).toEqual({ code: 0, stdout: "kicked bob from #ops\n", stderr: "" });
      await alice.expect(/ KICK #ops bob :take a break$/);

      const ban = await admin("ban", "bob", "--reason", "enough", "--minutes", "60", "--db", db);
      expect(ban.stdout).toBe("banned bob!*@* (kline) for 60 minutes; 1 connection removed\n");
      await bob.waitClosed();

      // A backup while the server runs is a consistent, complete database.
      const copy = join(dir, "backup.db");
      const backup = await admin("backup", copy, "--db", db);
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/^backed up .* \(\d+ bytes\)\n$/);
      expect(statSync(copy).mode & 0o777).toBe(0o600);
      const b = new Database(copy, { readonly: true });
      expect(b.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      // Both messages; the room's JOINs and KICK are kept beside them, under "!#ops".
      expect(b.query("SELECT COUNT(*) AS n FROM messages WHERE key = '#ops'").get()).toEqual({
        n: 2,
      });
      expect(b.query("SELECT command FROM messages WHERE key = '!#ops' ORDER BY id").all()).toEqual(
        [{ command: "JOIN" }, { command: "JOIN" }, { command: "KICK" }],
      );
      expect(b.query("SELECT pattern FROM moderation").all()).toEqual([{ pattern: "bob!*@*" }]);
      b.close();

      const text = await admin("export", "--room", "ops", "--db", db);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^\[\S+Z\] <alice> first words\n\[\S+Z\] \* alice waves\n$/);
      const json = await admin("export", "--room", "#OPS", "--format", "json", "--db", db);
      const rows = json.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { text: string });
      expect(rows.map((r) => r.text)).toEqual(["first words", "\x01ACTION waves\x01"]);
      const later = await admin("export", "--room", "ops", "--since", "2999-01-01", "--db", db);
      expect(later).toEqual({
        code: 0,
        stdout: "",
        stderr: "chat: no messages in #ops to export\n",
      });

      const refused = await admin("kick", "#ops", "nobody", "--db", db);
      expect(refused).toEqual({ code: 1, stdout: "", stderr: "chat: nobody is not in #ops\n" });
    } finally {
      for (const c of clients) c.close();
      await server.stop();
    }
    // The server removed its socket on the way out.
    expect(existsSync(join(dir, "live.sock"))).toBe(false);
  });

  test("no running server: one line naming the socket, exit status 1", async () => {
    const db = join(dir, "idle.db");
    const r = await admin("rooms", "--db", db);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: `chat: no running chat server at ${join(dir, "idle.sock")}: no such socket; start chat serve, or give its --db or --socket\n`,
    });
  });

  test("after kill -9 the left-over socket says nothing listens, and the next start takes it over", async () => {
    const db = join(dir, "killed.db");
    const first = await spawnServe(serveCommand(["--db", db, "--quiet"], "binary"), {
      readyWhen: /Admin socket: /,
    });
    await first.stop("SIGKILL");
    expect(existsSync(join(dir, "killed.sock"))).toBe(true);
    const stale = await admin("users", "--db", db);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("nothing is listening (a server that stopped left it)");
    const second = await spawnServe(serveCommand(["--db", db, "--quiet"], "binary"), {
      readyWhen: /Admin socket: /,
    });
    try {
      expect(await admin("users", "--db", db)).toEqual({
        code: 0,
        stdout: "no one is connected\n",
        stderr: "",
      });
    } finally {
      await second.stop();
    }
  });

  test("a range with more prefix bits than its address has is refused, not stored as a ban that matches nobody", async () => {
    const db = join(dir, "cidr.db");
    const server = await spawnServe(
      serveCommand(["--db", db, "--quiet", "--oper", "root:pw-cidr"], "binary"),
      { readyWhen: /Admin socket: / },
    );
    const op = await TestClient.connect(server.port);
    try {
      for (const bad of ["10.0.0.0/33", "10.0.0.0/99", "2001:db8::/129", "10.*/8"]) {
        const r = await admin("ban", bad, "--db", db);
        expect({ bad, code: r.code, stdout: r.stdout }).toEqual({ bad, code: 1, stdout: "" });
        expect(r.stderr).toContain(`${bad} is not an IP address or range`);
      }
      await op.register("opal");
      op.send("OPER root pw-cidr");
      await op.expect(/ 381 /);
      op.send("DLINE 10.0.0.0/40 :typo");
      await op.expect(/NOTICE opal :10\.0\.0\.0\/40 is not an IP address or range/);
      op.send("DLINE");
      await op.expect(/NOTICE opal :No D-lines set/);
      // The largest prefixes are still ranges.
      expect((await admin("ban", "10.0.0.7/32", "--db", db)).stdout).toContain("(dline)");
      expect((await admin("ban", "2001:db8::/128", "--db", db)).stdout).toContain("(dline)");
    } finally {
      op.close();
      await server.stop();
    }
  });

  test("a mask with a space, which no nick, user or host has, is refused rather than banned", async () => {
    const db = join(dir, "space.db");
    const server = await spawnServe(serveCommand(["--db", db, "--quiet"], "binary"), {
      readyWhen: /Admin socket: /,
    });
    try {
      const r = await admin("ban", "bad guy", "--db", db);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: "" });
      expect(r.stderr).toContain("a nick or mask has no spaces");
      const ok = await admin("ban", "badguy", "--db", db);
      expect(ok.stdout).toBe("banned badguy!*@* (kline); 0 connections removed\n");
    } finally {
      await server.stop();
    }
  });

  test("a kick by the host is in the server's log, like an operator's", async () => {
    const db = join(dir, "kicklog.db");
    const server = await spawnServe(serveCommand(["--db", db, "--log-format", "json"], "binary"), {
      readyWhen: /Admin socket: /,
    });
    const bob = await TestClient.connect(server.port);
    try {
      await bob.register("bob");
      bob.send("JOIN #ops");
      await bob.expect(/ 366 /);
      const r = await admin("kick", "#ops", "bob", "--reason", "take a break", "--db", db);
      expect(r.code).toBe(0);
      await bob.expect(/ KICK #ops bob :take a break$/);
    } finally {
      bob.close();
      await server.stop();
    }
    const kicks = server
      .stderr()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.event === "kick");
    expect(kicks).toHaveLength(1);
    expect(kicks[0]).toMatchObject({
      channel: "#ops",
      nick: "bob",
      by: "admin",
      reason: "take a break",
    });
  });

  test("a ban longer than a date can hold is refused, and operators can still list the K-lines", async () => {
    const db = join(dir, "forever.db");
    const server = await spawnServe(
      serveCommand(["--db", db, "--quiet", "--oper", "root:pw-forever"], "binary"),
      { readyWhen: /Admin socket: / },
    );
    const op = await TestClient.connect(server.port);
    try {
      const cli = await admin("ban", "bob", "--minutes", "999999999999999", "--db", db);
      expect({ code: cli.code, stdout: cli.stdout }).toEqual({ code: 2, stdout: "" });
      expect(cli.stderr).toContain("--minutes must be at most 999999");
      // A script on the socket is held to the same bound.
      const raw = await adminRequest(join(dir, "forever.sock"), {
        cmd: "ban",
        pattern: "carl",
        minutes: 1e15,
      });
      expect(raw).toEqual({
        ok: false,
        error: '"minutes" must be a whole number from 1 to 999999',
      });
      expect((await admin("ban", "dave", "--minutes", "999999", "--db", db)).code).toBe(0);
      expect((await admin("ban", "eve", "--minutes", "1", "--db", db)).stdout).toBe(
        "banned eve!*@* (kline) for 1 minute; 0 connections removed\n",
      );
      await op.register("opal");
      op.send("OPER root pw-forever");
      await op.expect(/ 381 /);
      op.send("KLINE");
      await op.expect(/NOTICE opal :KLINE dave!\*@\* by admin until \d{4}-/);
      op.send("PING :still-here");
      await op.expect(/PONG .*still-here/);
    } finally {
      op.close();
      await server.stop();
    }
    // One kept by an earlier version, ending past any date, is still listed.
    const d = new Database(db);
    d.run(
      "INSERT INTO moderation VALUES ('kline carl!*@*', 'kline', 'carl!*@*', 'old', 'admin', 1, 6e19)",
    );
    d.close();
    const again = await spawnServe(
      serveCommand(["--db", db, "--quiet", "--oper", "root:pw-forever"], "binary"),
      { readyWhen: /Admin socket: / },
    );
    const op2 = await TestClient.connect(again.port);
    try {
      await op2.register("opal");
      op2.send("OPER root pw-forever");
      await op2.expect(/ 381 /);
      op2.send("KLINE");
      await op2.expect(/NOTICE opal :KLINE carl!\*@\* by admin until far in the future: old/);
    } finally {
      op2.close();
      await again.stop();
    }
  });

  test("usage mistakes exit 2; a missing database exits 1 with its path", async () => {
    const usage = await admin("export", "--db", join(dir, "x.db"));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("chat: missing --room NAME (see: chat admin --help)\n");
    const missing = await admin("backup", join(dir, "out.db"), "--db", join(dir, "absent.db"));
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: `chat: no history database at ${join(dir, "absent.db")}; see --db (the path chat serve uses)\n`,
    });
  });
});
