/**
 * The SEARCH index written in batches after the commit (store/sqlite/search-index.ts):
 * a search right after any message finds it, the index stays the exact image of
 * the messages table through redactions, retention and an upgrade from schema 4,
 * and rows a crash left unindexed are indexed at the next start.
 */
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS } from "../../../src/store/migrations.ts";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import type { HistoryEntry } from "../../../src/store/store.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-search-index-"));
let n = 0;
const freshPath = (): string => join(dir, `db-${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_800_000_000_000;

function msg(i: number, text: string, key = "#a"): HistoryEntry {
  return {
    msgid: `m${i}`,
    time: T0 + i,
    key,
    target: key,
    source: "bob!b@h",
    command: "PRIVMSG",
    text,
  };
}

function store(path: string, history = 100_000): SqliteStore {
  return new SqliteStore({ path, history, integrityCheck: false, onError: () => {} });
}

const texts = (es: HistoryEntry[]): string[] => es.map((e) => e.text);
const search = (s: SqliteStore, words: string, limit = 100): string[] =>
  texts(s.search(["#a"], { words, limit }));

/** How far the index goes and how far the table goes, read on a connection of its own. */
function progress(path: string): { upto: number; last: number } {
  const db = new Database(path, { readonly: true });
  try {
    const upto = db.query<{ upto: number }, []>("SELECT upto FROM messages_fts_progress").get();
    const last = db.query<{ id: number | null }, []>("SELECT MAX(id) AS id FROM messages").get();
    return { upto: upto?.upto ?? -1, last: last?.id ?? 0 };
  } finally {
    db.close();
  }
}

/** FTS5's own check that the index holds exactly the indexed rows' tokens; throws if not. */
function checkIndex(path: string): void {
  const db = new Database(path);
  try {
    db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
  } finally {
    db.close();
  }
}

async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

test("a search right after many messages over many commits finds each of them", () => {
  const path = freshPath();
  const s = store(path);
  // 1,500 messages in commits of 7: several background batches' worth, none run yet.
  for (let i = 0; i < 1_500; i++) {
    s.append(msg(i, `common word${i}`));
    if (i % 7 === 6) s.flush();
  }
  expect(progress(path).upto).toBeLessThan(progress(path).last);
  for (const i of [0, 1, 700, 1_498, 1_499])
    expect(search(s, `word${i}`)).toEqual([`common word${i}`]);
  expect(search(s, "common", 10_000).length).toBe(1_500);
  // Appended and not yet committed: the search commits it first.
  s.append(msg(1_500, "the very last"));
  expect(search(s, "last")).toEqual(["the very last"]);
  s.close();
  checkIndex(path);
});

test("the index catches up in the background, after the commit, without any search", async () => {
  const path = freshPath();
  const s = store(path);
  for (let i = 0; i < 600; i++) s.append(msg(i, `batch ${i}`));
  s.flush();
  expect(progress(path).upto).toBeLessThan(600);
  await until(() => progress(path).upto === 600, "the background batch");
  // A backlog below one batch is indexed after a bounded delay too.
  s.append(msg(600, "straggler"));
  s.flush();
  await until(() => progress(path).upto === 601, "the delayed batch");
  s.close();
  checkIndex(path);
});

test("redacting the newest message: the next one reuses its id and is found, the redacted never", () => {
  const path = freshPath();
  const s = store(path);
  s.append(msg(1, "keep this"));
  s.append(msg(2, "secret alpha"));
  s.flush();
  expect(search(s, "alpha")).toEqual(["secret alpha"]); // indexed now
  expect(s.redact("#a", "m2")).toBe(true);
  s.append(msg(3, "plain beta"));
  s.flush();
  expect(progress(path).last).toBe(2); // SQLite handed out the redacted row's id again
  expect(search(s, "beta")).toEqual(["plain beta"]);
  expect(search(s, "alpha")).toEqual([]);
  expect(search(s, "keep")).toEqual(["keep this"]);
  // And a redaction of a message not yet indexed.
  s.append(msg(4, "gamma unindexed"));
  s.flush();
  expect(s.redact("#a", "m4")).toBe(true);
  expect(search(s, "gamma")).toEqual([]);
  s.close();
  checkIndex(path);
});

test("retention trims the index with the messages", () => {
  const path = freshPath();
  const s = store(path, 50);
  for (let i = 0; i < 400; i++) {
    s.append(msg(i, `kept${i} every`));
    if (i % 50 === 49) {
      s.flush();
      search(s, "every"); // index what is there, so retention deletes indexed rows too
    }
  }
  s.flush();
  while (s.prune(10) > 0) {}
  expect(search(s, "every", 1_000).length).toBe(50);
  expect(search(s, "kept0")).toEqual([]);
  expect(search(s, "kept399")).toEqual(["kept399 every"]);
  s.close();
  checkIndex(path);
});

test("a database of schema 4 (indexed by triggers) is upgraded: old and new messages are found", () => {
  const path = freshPath();
  const old = new Database(path, { create: true, strict: true });
  old.run("PRAGMA journal_mode = WAL");
  old.run("CREATE TABLE schema_version (version INTEGER NOT NULL)");
  for (let v = 0; v < 4; v++) {
    old.run(MIGRATIONS[v] as string);
    old.run("INSERT INTO schema_version (version) VALUES (?)", [v + 1]);
  }
  const insert = old.query(
    "INSERT INTO messages (msgid, time, key, target, source, command, text) VALUES (?, ?, '#a', '#a', 'bob!b@h', ?, ?)",
  );
  insert.run("o1", T0, "PRIVMSG", "from before the upgrade");
  insert.run("o2", T0 + 1, "JOIN", "");
  insert.run("o3", T0 + 2, "NOTICE", "notice before");
  old.close();

  const s = store(path);
  expect(progress(path).upto).toBe(3);
  s.append(msg(10, "after the upgrade"));
  s.flush();
  expect(search(s, "before")).toEqual(["from before the upgrade", "notice before"]);
  expect(search(s, "upgrade")).toEqual(["from before the upgrade", "after the upgrade"]);
  expect(s.redact("#a", "o1")).toBe(true);
  expect(search(s, "upgrade")).toEqual(["after the upgrade"]);
  s.close();
  checkIndex(path);
});

test("kill -9 with messages committed but not indexed: the next start indexes them", async () => {
  const path = freshPath();
  // The child commits, says so, then blocks its event loop so no background batch can run.
  const script = `
    import { SqliteStore } from ${JSON.stringify(join(import.meta.dir, "../../../src/store/sqlite.ts"))};
    const s = new SqliteStore({ path: ${JSON.stringify(path)}, history: 100000, integrityCheck: false });
    for (let i = 0; i < 900; i++) {
      s.append({ msgid: "m" + i, time: ${T0} + i, key: "#a", target: "#a", source: "bob!b@h", command: "PRIVMSG", text: "crash word" + i });
      if (i % 9 === 8) s.flush();
    }
    console.log("committed");
    for (;;) Bun.sleepSync(1000);
  `;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  try {
    const reader = child.stdout.getReader();
    const first = await Promise.race([reader.read(), Bun.sleep(15_000).then(() => undefined)]);
    expect(new TextDecoder().decode(first?.value)).toContain("committed");
  } finally {
    child.kill(9);
    await child.exited;
  }
  expect(child.signalCode).toBe("SIGKILL");
  const before = progress(path);
  expect(before.last).toBe(900);
  expect(before.upto).toBeLessThan(900);

  const s = store(path);
  // At start, in the background: no search needed.
  await until(() => progress(path).upto === 900, "the start's catch-up");
  for (const i of [0, 450, 899]) expect(search(s, `word${i}`)).toEqual([`crash word${i}`]);
  expect(search(s, "crash", 1_000).length).toBe(900);
  s.close();
  checkIndex(path);
}, 30_000);
