/**
 * Opening the history database: pragmas for the durability the server
 * promises, and the schema brought up to date (migrations.ts).
 */
import { Database } from "bun:sqlite";
import { StoreOpenError } from "../errors.ts";
import { MIGRATIONS } from "../migrations.ts";
import { describe } from "./log.ts";

/**
 * Open `path` (a file or ":memory:") in WAL mode with the current schema.
 * Throws StoreOpenError naming the file and the reason.
 */
export function openDatabase(path: string): Database {
  let db: Database | undefined;
  try {
    db = new Database(path, { create: true, strict: true });
    // Fail fast instead of waiting on another process's lock forever.
    db.run("PRAGMA busy_timeout = 2000");
    const mode = db.query<{ journal_mode: string }, []>("PRAGMA journal_mode = WAL").get();
    if (path !== ":memory:" && mode?.journal_mode.toLowerCase() !== "wal") {
      throw new Error(`could not switch to WAL mode (got ${mode?.journal_mode ?? "nothing"})`);
    }
    // WAL with synchronous=NORMAL: a committed transaction survives the
    // process being killed (the WAL is in the OS page cache); only a power cut
    // can lose the last commits.
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA foreign_keys = ON");
    // The hot pages are the tails of the per-conversation indexes; a bigger
    // cache keeps them in memory as the database grows (32 MiB).
    db.run("PRAGMA cache_size = -32768");
    migrate(db);
    // While running, a writer from another process must not stall the relay:
    // a busy flush fails fast, is logged and retried on the next turn.
    db.run("PRAGMA busy_timeout = 50");
    return db;
  } catch (err) {
    db?.close(false);
    throw new StoreOpenError(path, describe(err), err);
  }
}

function migrate(db: Database): void {
  db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = db
    .query<{ v: number | null }, []>("SELECT MAX(version) AS v FROM schema_version")
    .get();
  const current = row?.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database has schema version ${current}, newer than this chat understands (${MIGRATIONS.length}); use a newer chat or another --db`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v];
    if (sql === undefined) break;
    db.transaction(() => {
      db.run(sql);
      db.query<never, [number]>("INSERT INTO schema_version (version) VALUES (?)").run(v + 1);
    })();
  }
}
