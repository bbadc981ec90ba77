import { afterAll, describe, expect, test } from "bun:test";
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultDbPath, openStore, StoreOpenError } from "../../../src/store/open.ts";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import { runStoreContract } from "./store.contract.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-store-"));
let n = 0;
const freshPath = (): string => join(dir, `db-${++n}.db`);

/** Ten messages to #a at times 0..9, msgids `${prefix}0`..`${prefix}9`. */
function appendTen(s: SqliteStore, prefix: string): void {
  for (let i = 0; i < 10; i++) {
    s.append({
      msgid: `${prefix}${i}`,
      time: i,
      key: "#a",
      target: "#a",
      source: "x!y@z",
      command: "PRIVMSG",
      text: `${i}`,
    });
  }
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** `p`, or a rejection after `ms`: every wait in these tests is bounded. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const settle = (s: unknown): void => {
  if (s instanceof SqliteStore) {
    s.findOversized();
    s.prune(10_000);
  }
};

runStoreContract("SqliteStore (file)", {
  make: (history) => new SqliteStore({ path: freshPath(), history }),
  settle,
  reopen: (s, history) => {
    if (!(s instanceof SqliteStore)) throw new Error("not a SqliteStore");
    s.close();
    return new SqliteStore({ path: s.path, history });
  },
});

runStoreContract("SqliteStore (:memory:)", {
  make: (history) => new SqliteStore({ path: ":memory:", history }),
  settle,
});

describe("SqliteStore on disk", () => {
  test("a clean close leaves a single database file and no WAL to replay", async () => {
    const path = freshPath();
    const s = new SqliteStore({ path, history: 100 });
    s.append({
      msgid: "m1",
      time: 1,
      key: "#a",
      target: "#a",
      source: "x!y@z",
      command: "PRIVMSG",
      text: "hi",
    });
    s.close();
    const wal = Bun.file(`${path}-wal`);
    expect((await wal.exists()) ? wal.size : 0).toBe(0);
  });

  test("retention runs by itself in the background", async () => {
    const s = new SqliteStore({ path: freshPath(), history: 3, pruneIntervalMs: 1 });
    try {
      appendTen(s, "m");
      s.flush();
      const deadline = Date.now() + 5000;
      // Event-driven enough: poll the store, bounded by the deadline.
      while (s.before("#a", { msgid: "m7" }, 100).length > 0 && Date.now() < deadline) {
        await Bun.sleep(5);
      }
      expect(s.latest("#a", 100).map((e) => e.text)).toEqual(["7", "8", "9"]);
    } finally {
      s.close();
    }
  });

  test("a retention step that fails is retried until the limit holds", () => {
    const errors: string[] = [];
    const path = freshPath();
    const s = new SqliteStore({ path, history: 3, onError: (m) => errors.push(m) });
    const { Database } = require("bun:sqlite");
    const other = new Database(path);
    try {
      appendTen(s, "r");
      s.flush();
      // Another connection holds the write lock: the step is rolled back.
      other.run("PRAGMA busy_timeout = 0");
      other.run("BEGIN IMMEDIATE");
      expect(s.prune(1)).toBe(0);
      expect(errors.join("\n")).toContain("retention step failed");
      other.run("ROLLBACK");
      s.prune(10);
      expect(s.latest("#a", 100).map((e) => e.text)).toEqual(["7", "8", "9"]);
    } finally {
      other.close();
      s.close();
    }
  });

  test("after a restart with a lower --history, old rooms are trimmed in the background", async () => {
    const path = freshPath();
    const first = new SqliteStore({ path, history: 1000 });
    for (let i = 0; i < 40; i++) {
      first.append({
        msgid: `s${i}`,
        time: i,
        key: "#old",
        target: "#old",
        source: "x!y@z",
        command: "PRIVMSG",
        text: `${i}`,
      });
    }
    first.close();
    const s = new SqliteStore({ path, history: 10, startupScanDelayMs: 1, pruneIntervalMs: 1 });
    try {
      const deadline = Date.now() + 5000;
      while (s.latest("#old", 100).length > 10 && Date.now() < deadline) await Bun.sleep(5);
      expect(s.latest("#old", 100).map((e) => e.text)).toEqual(
        Array.from({ length: 10 }, (_, i) => `${30 + i}`),
      );
    } finally {
      s.close();
    }
  });

  test("an append is committed within the event-loop turn even if nobody calls flush", async () => {
    const path = freshPath();
    const s = new SqliteStore({ path, history: 10 });
    const { Database } = require("bun:sqlite");
    const other = new Database(path, { readonly: true });
    try {
      s.append({
        msgid: "lonely",
        time: 1,
        key: "#empty",
        target: "#empty",
        source: "x!y@z",
        command: "PRIVMSG",
        text: "anyone?",
      });
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(other.query("SELECT text FROM messages").all()).toEqual([{ text: "anyone?" }]);
    } finally {
      other.close();
      s.close();
    }
  });

  test("a file that is not a database fails at open with one clear StoreOpenError", () => {
    const path = freshPath();
    writeFileSync(path, "this is not sqlite, just some text that fills a page ".repeat(200));
    let caught: unknown;
    try {
      openStore({ db: path, history: 10 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreOpenError);
    const message = (caught as Error).message;
    expect(message).toContain(path);
    expect(message).toContain("not a database");
    expect(message).not.toContain("\n");
  });

  test("damage deep inside the file is found in the background and reported in one line", async () => {
    const path = freshPath();
    const first = new SqliteStore({ path, history: 100_000, integrityCheck: false });
    for (let i = 0; i < 20_000; i++) {
      first.append({
        msgid: `d${i}`,
        time: i,
        key: `#r${i % 3}`,
        target: "#r",
        source: "a!b@c",
        command: "PRIVMSG",
        text: "some text",
      });
    }
    first.close();
    // Overwrite pages in the middle; the header (page 1) stays valid, so opening works.
    const size = statSync(path).size;
    const fd = openSync(path, "r+");
    const junk = Buffer.alloc(4096 * 20, 0x5a);
    writeSync(fd, junk, 0, junk.length, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);

    const errors: string[] = [];
    const s = new SqliteStore({ path, history: 100_000, onError: (m) => errors.push(m) });
    try {
      expect((await within(s.integrity, 10_000))?.ok).toBe(false);
      const report = errors.find((e) => e.includes("damaged")) ?? "";
      expect(report).toContain(path);
      expect(report).not.toContain("\n");
    } finally {
      s.close();
    }
  });

  test("a healthy file passes the background check silently", async () => {
    const errors: string[] = [];
    const path = freshPath();
    new SqliteStore({ path, history: 10 }).close();
    const s = new SqliteStore({ path, history: 10, onError: (m) => errors.push(m) });
    expect((await within(s.integrity, 10_000))?.ok).toBe(true);
    s.close();
    expect(errors).toEqual([]);
  });

  test("a folder that cannot be created fails with StoreOpenError", () => {
    const blocker = freshPath();
    writeFileSync(blocker, "a file where a folder should be");
    expect(() => openStore({ db: join(blocker, "sub", "chat.db"), history: 10 })).toThrow(
      StoreOpenError,
    );
  });

  test("a database from a newer chat is refused rather than misread", () => {
    const path = freshPath();
    new SqliteStore({ path, history: 10 }).close();
    const raw = new (require("bun:sqlite").Database)(path);
    raw.run("INSERT INTO schema_version (version) VALUES (99)");
    raw.close();
    expect(() => openStore({ db: path, history: 10 })).toThrow(/schema version 99/);
  });

  test("openStore creates the default folder under XDG_DATA_HOME", () => {
    const xdg = join(dir, "xdg");
    expect(defaultDbPath({ XDG_DATA_HOME: xdg, HOME: "/nonexistent" })).toBe(
      join(xdg, "chat", "chat.db"),
    );
    expect(defaultDbPath({ HOME: "/home/u" })).toBe("/home/u/.local/share/chat/chat.db");
    expect(defaultDbPath({ XDG_DATA_HOME: "relative", HOME: "/home/u" })).toBe(
      "/home/u/.local/share/chat/chat.db",
    );
    const s = openStore({ db: join(xdg, "nested", "chat.db"), history: 10 });
    s.close();
    expect(Bun.file(join(xdg, "nested", "chat.db")).size).toBeGreaterThan(0);
    // Private history is readable by its owner only.
    expect(statSync(join(xdg, "nested", "chat.db")).mode & 0o777).toBe(0o600);
    expect(statSync(join(xdg, "nested")).mode & 0o777).toBe(0o700);
  });

  test("a full disk while running is logged, live use continues, and nothing is silently lost", () => {
    const errors: string[] = [];
    const path = freshPath();
    const s = new SqliteStore({ path, history: 100_000, onError: (m) => errors.push(m) });
    // Cap the file at its current size: the next growth fails with SQLITE_FULL,
    // exactly as a full disk does.
    const internal = (s as unknown as { db: import("bun:sqlite").Database }).db;
    const pages =
      internal.query<{ page_count: number }, []>("PRAGMA page_count").get()?.page_count ?? 0;
    internal.run(`PRAGMA max_page_count = ${pages}`);
    const big = "x".repeat(2000);
    for (let i = 0; i < 50; i++) {
      s.append({
        msgid: `f${i}`,
        time: i,
        key: "#a",
        target: "#a",
        source: "x!y@z",
        command: "PRIVMSG",
        text: big,
      });
    }
    expect(() => s.flush()).not.toThrow();
    expect(errors.join("\n")).toContain("SQLITE_FULL");
    // Space comes back: the buffered messages are written on the next flush.
    internal.run("PRAGMA max_page_count = 1073741823");
    s.flush();
    expect(s.latest("#a", 100)).toHaveLength(50);
    s.close();
  });

  test("a write error while running is logged, not thrown, and saved on a later flush", () => {
    const errors: string[] = [];
    const path = freshPath();
    const s = new SqliteStore({ path, history: 10, onError: (m) => errors.push(m) });
    // Another connection holds the write lock: the flush fails as a full disk would.
    const { Database } = require("bun:sqlite");
    const other = new Database(path);
    other.run("PRAGMA busy_timeout = 0");
    other.run("BEGIN IMMEDIATE");
    const entry = {
      msgid: "m1",
      time: 1,
      key: "#a",
      target: "#a",
      source: "x!y@z",
      command: "PRIVMSG" as const,
      text: "kept",
    };
    s.append(entry);
    expect(() => s.flush()).not.toThrow();
    expect(errors.length).toBe(1);
    expect(errors[0]).toContain("will retry");
    other.run("ROLLBACK");
    other.close();
    s.flush();
    expect(s.latest("#a", 10).map((e) => e.text)).toEqual(["kept"]);
    s.close();
  });
});
