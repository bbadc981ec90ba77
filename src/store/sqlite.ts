/**
 * SQLite HistoryStore on bun:sqlite.
 *
 * WAL with synchronous=NORMAL: a committed transaction survives the process
 * being killed (the WAL is in the OS page cache), which is the durability the
 * server promises; only a power cut can lose the last commits. `append` only
 * buffers and `flush` writes the buffer in one transaction, so the fan-out path
 * pays one commit per event-loop turn, not one per message.
 *
 * Retention is enforced off the hot path: a conversation that grows past the
 * limit is trimmed by a background timer in bounded steps.
 */
import { Database, SQLiteError, type Statement } from "bun:sqlite";
import { foldCase } from "../protocol/casemap.ts";
import { StoreOpenError } from "./errors.ts";
import { checkIntegrityInBackground, type IntegrityResult } from "./integrity.ts";
import { MIGRATIONS } from "./migrations.ts";
import {
  type BanState,
  type Cut,
  compareCut,
  cutsOf,
  type HistoryCommand,
  type HistoryEntry,
  type HistoryRef,
  type HistoryStore,
  type HistoryTarget,
  isPrivateKey,
  orderTargets,
  type RoomState,
} from "./store.ts";

export interface SqliteStoreOptions {
  /** A file path, or ":memory:". The folder must exist. */
  path: string;
  /** Messages kept per conversation. */
  history: number;
  /** Where errors while running go (the server keeps relaying). Default: stderr. */
  onError?: (message: string) => void;
  /** Rows deleted per background retention step; small so no step stalls the loop. */
  pruneStep?: number;
  /** Delay between retention steps, ms. */
  pruneIntervalMs?: number;
  /** Delay before the one-off scan for conversations over the limit, ms. */
  startupScanDelayMs?: number;
  /** Check every page of a file database on a worker thread after opening (default true). */
  integrityCheck?: boolean;
}

/** Delay before the one-off scan for oversized conversations after opening. */
const STARTUP_SCAN_DELAY_MS = 2_000;

/** Buffered messages kept while the disk refuses writes, before the oldest are dropped (and logged). */
const MAX_PENDING = 100_000;

interface MessageRow {
  id: number;
  msgid: string;
  time: number;
  key: string;
  target: string;
  source: string;
  command: string;
  text: string;
}

interface RoomRow {
  name: string;
  created: number;
  topic_text: string | null;
  topic_by: string | null;
  topic_at: number | null;
  flags: string;
  chan_key: string | null;
  user_limit: number | null;
}

interface BanRow {
  room: string;
  mask: string;
  set_by: string;
  set_at: number;
}

const COLS = "id, msgid, time, key, target, source, command, text";

function toEntry(row: MessageRow): HistoryEntry {
  return {
    msgid: row.msgid,
    time: row.time,
    key: row.key,
    target: row.target,
    source: row.source,
    command: row.command === "NOTICE" ? "NOTICE" : ("PRIVMSG" satisfies HistoryCommand),
    text: row.text,
  };
}

/** SQLite's multi-line reports as one log line. */
function oneLine(lines: string[]): string {
  return lines
    .flatMap((l) => l.split("\n"))
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("***"))
    .join("; ");
}

function describe(err: unknown): string {
  if (err instanceof SQLiteError) return `${err.message} (${err.code ?? `errno ${err.errno}`})`;
  return err instanceof Error ? err.message : String(err);
}

export class SqliteStore implements HistoryStore {
  readonly path: string;
  private readonly db: Database;
  private readonly history: number;
  private readonly onError: (message: string) => void;
  private readonly pruneStep: number;
  private readonly pruneIntervalMs: number;
  private pending: HistoryEntry[] = [];
  /** Live row count per conversation, learnt lazily; drives retention. */
  private readonly counts = new Map<string, number>();
  /** Conversations holding more than `history` rows. */
  private readonly overLimit = new Set<string>();
  private pruneTimer: ReturnType<typeof setTimeout> | undefined;
  private startupScan: ReturnType<typeof setTimeout> | undefined;
  private stopIntegrityCheck: (() => void) | undefined;
  /** The background file check's verdict once known; undefined if it did not run. */
  readonly integrity: Promise<IntegrityResult | undefined>;
  private closed = false;
  private lastErrorLog = 0;
  private suppressedErrors = 0;
  /** Inserts in one transaction; returns rows actually added per conversation. */
  private readonly insertMany: (rows: HistoryEntry[]) => Map<string, number>;

  constructor(opts: SqliteStoreOptions) {
    if (!Number.isInteger(opts.history) || opts.history < 1) {
      throw new RangeError(`history must be a positive integer, got ${opts.history}`);
    }
    this.path = opts.path;
    this.history = opts.history;
    this.onError = opts.onError ?? ((m) => console.error(m));
    this.pruneStep = opts.pruneStep ?? 500;
    this.pruneIntervalMs = opts.pruneIntervalMs ?? 20;
    let db: Database | undefined;
    try {
      db = new Database(opts.path, { create: true, strict: true });
      // Fail fast instead of waiting on another process's lock forever.
      db.run("PRAGMA busy_timeout = 2000");
      const mode = db.query<{ journal_mode: string }, []>("PRAGMA journal_mode = WAL").get();
      if (opts.path !== ":memory:" && mode?.journal_mode.toLowerCase() !== "wal") {
        throw new Error(`could not switch to WAL mode (got ${mode?.journal_mode ?? "nothing"})`);
      }
      db.run("PRAGMA synchronous = NORMAL");
      db.run("PRAGMA foreign_keys = ON");
      // The hot pages are the tails of the per-conversation indexes; a bigger
      // cache keeps them in memory as the database grows (32 MiB).
      db.run("PRAGMA cache_size = -32768");
      migrate(db);
      // While running, a writer from another process must not stall the relay:
      // a busy flush fails fast, is logged and retried on the next turn.
      db.run("PRAGMA busy_timeout = 50");
      this.db = db;
    } catch (err) {
      db?.close(false);
      throw new StoreOpenError(opts.path, describe(err), err);
    }
    const insert = this.db.query<never, [string, number, string, string, string, string, string]>(
      "INSERT OR IGNORE INTO messages (msgid, time, key, target, source, command, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const notePrivate = this.db.query<never, [string, string, string]>(
      "INSERT OR IGNORE INTO private_conversations (key, a, b) VALUES (?, ?, ?)",
    );
    this.insertMany = this.db.transaction((rows: HistoryEntry[]) => {
      const added = new Map<string, number>();
      for (const e of rows) {
        // A msgid already stored (a replayed batch) is skipped, never duplicated.
        const res = insert.run(e.msgid, e.time, e.key, e.target, e.source, e.command, e.text);
        if (res.changes > 0) added.set(e.key, (added.get(e.key) ?? 0) + 1);
        if (isPrivateKey(e.key)) {
          const [a = "", b = ""] = e.key.split(" ");
          notePrivate.run(e.key, a, b);
        }
      }
      return added;
    });
    let settle: (r: IntegrityResult | undefined) => void = () => {};
    this.integrity = new Promise((resolve) => {
      settle = resolve;
    });
    if (opts.path === ":memory:" || opts.integrityCheck === false) settle(undefined);
    else {
      this.stopIntegrityCheck = checkIntegrityInBackground(opts.path, (result) => {
        settle(result);
        if (result.ok || this.closed) return;
        // Not rate-limited: this is the one message the operator must see.
        this.onError(
          `history: the database ${opts.path} is damaged (${oneLine(result.problems).slice(0, 300)}); ` +
            "live chat goes on but some history may be unreadable or unsaved. " +
            "Stop the server and move the file aside (or recover it with sqlite3's .recover) to start clean.",
        );
      });
    }
    // Counting every room is a full index scan: do it after start-up, off the
    // path to accepting connections (it matters only if --history was lowered).
    this.startupScan = setTimeout(() => {
      this.startupScan = undefined;
      this.findOversized();
    }, opts.startupScanDelayMs ?? STARTUP_SCAN_DELAY_MS);
    this.startupScan.unref?.();
  }

  append(entry: HistoryEntry): void {
    if (this.closed) return;
    this.pending.push(entry);
    // The server flushes before writing each turn's output; this covers a turn
    // with nothing to write (a message to an empty room), so nothing waits in
    // memory for some later output to come along.
    if (this.pending.length === 1 && !this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flushSoon);
    }
  }

  private flushQueued = false;
  private readonly flushSoon = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const batch = this.pending;
    let added: Map<string, number>;
    try {
      added = this.insertMany(batch);
    } catch (err) {
      // Keep the messages for the next flush (the disk may free up) but never
      // let the buffer grow without bound or the error stop live relay.
      if (batch.length > MAX_PENDING) {
        const dropped = batch.length - MAX_PENDING;
        this.pending = batch.slice(dropped);
        this.logError(`history: dropped ${dropped} unsaved messages: ${describe(err)}`);
      } else {
        this.logError(
          `history: could not save ${batch.length} messages, will retry: ${describe(err)}`,
        );
      }
      return;
    }
    this.pending = [];
    for (const [key, n] of added) this.countAdded(key, n);
  }

  latest(key: string, limit: number): HistoryEntry[] {
    if (limit <= 0) return [];
    this.flush();
    return this.range(key, undefined, undefined, limit, true);
  }

  before(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    if (limit <= 0) return [];
    this.flush();
    const c = this.cuts(key, ref);
    if (c === undefined) return [];
    return this.range(key, undefined, { cut: c.low, inclusive: false }, limit, true);
  }

  after(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    if (limit <= 0) return [];
    this.flush();
    const c = this.cuts(key, ref);
    if (c === undefined) return [];
    return this.range(key, { cut: c.high, inclusive: false }, undefined, limit, false);
  }

  around(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    if (limit <= 0) return [];
    this.flush();
    const c = this.cuts(key, ref);
    if (c === undefined) return [];
    const older = this.range(key, undefined, { cut: c.low, inclusive: false }, limit, true);
    const newer = this.range(key, { cut: c.low, inclusive: true }, undefined, limit, false);
    const half = Math.floor(limit / 2);
    const takeNewer = Math.min(newer.length, limit - Math.min(half, older.length));
    const takeOlder = Math.min(older.length, limit - takeNewer);
    return [...older.slice(older.length - takeOlder), ...newer.slice(0, takeNewer)];
  }

  between(key: string, a: HistoryRef, b: HistoryRef, limit: number): HistoryEntry[] {
    if (limit <= 0) return [];
    this.flush();
    const ca = this.cuts(key, a);
    const cb = this.cuts(key, b);
    if (ca === undefined || cb === undefined) return [];
    // Same range either way; when `a` is the later end, the ones nearest it are the newest.
    const aFirst = compareCut(ca.low, cb.low) <= 0;
    const older = aFirst ? ca : cb;
    const newer = aFirst ? cb : ca;
    return this.range(
      key,
      { cut: older.high, inclusive: false },
      { cut: newer.low, inclusive: false },
      limit,
      !aFirst,
    );
  }

  targets(
    keys: readonly string[],
    from: number,
    to: number,
    limit: number,
    nick?: string,
  ): HistoryTarget[] {
    if (limit <= 0) return [];
    this.flush();
    const found: HistoryTarget[] = [];
    try {
      const lo = Math.min(from, to);
      const hi = Math.max(from, to);
      const wanted = new Set(keys);
      if (nick !== undefined) {
        const rows = this.db
          .query<{ key: string }, [string, string]>(
            "SELECT key FROM private_conversations WHERE a = ? UNION SELECT key FROM private_conversations WHERE b = ?",
          )
          .all(nick, nick);
        for (const r of rows) wanted.add(r.key);
      }
      const lastIn = this.db.query<MessageRow, [string, number, number]>(
        `SELECT ${COLS} FROM messages WHERE key = ? AND time > ? AND time < ? ORDER BY time DESC, id DESC LIMIT 1`,
      );
      for (const key of wanted) {
        const row = lastIn.get(key, lo, hi);
        if (row !== null)
          found.push({
            key,
            target: row.target,
            source: row.source,
            time: row.time,
            msgid: row.msgid,
          });
      }
    } catch (err) {
      this.logError(`history: could not list conversations: ${describe(err)}`);
      return [];
    }
    return orderTargets(found, from > to, limit);
  }

  saveRoom(room: RoomState): void {
    if (this.closed) return;
    try {
      this.db.transaction(() => {
        const folded = foldCase(room.name);
        this.db
          .query<
            never,
            [
              string,
              string,
              number,
              string | null,
              string | null,
              number | null,
              string,
              string | null,
              number | null,
            ]
          >(
            `INSERT INTO rooms (folded, name, created, topic_text, topic_by, topic_at, flags, chan_key, user_limit)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (folded) DO UPDATE SET name = excluded.name, created = excluded.created,
               topic_text = excluded.topic_text, topic_by = excluded.topic_by, topic_at = excluded.topic_at,
               flags = excluded.flags, chan_key = excluded.chan_key, user_limit = excluded.user_limit`,
          )
          .run(
            folded,
            room.name,
            room.created,
            room.topic?.text ?? null,
            room.topic?.setBy ?? null,
            room.topic?.setAt ?? null,
            room.flags,
            room.key ?? null,
            room.limit ?? null,
          );
        this.db.query<never, [string]>("DELETE FROM bans WHERE room = ?").run(folded);
        const addBan = this.db.query<never, [string, string, string, number]>(
          "INSERT OR REPLACE INTO bans (room, mask, set_by, set_at) VALUES (?, ?, ?, ?)",
        );
        for (const ban of room.bans) addBan.run(folded, ban.mask, ban.setBy, ban.setAt);
      })();
    } catch (err) {
      this.logError(`history: could not save room ${room.name}: ${describe(err)}`);
    }
  }

  deleteRoom(name: string): void {
    if (this.closed) return;
    try {
      this.db.query<never, [string]>("DELETE FROM rooms WHERE folded = ?").run(foldCase(name));
    } catch (err) {
      this.logError(`history: could not forget room ${name}: ${describe(err)}`);
    }
  }

  /** Called at start: a damaged rooms table stops the server (StoreOpenError) rather than forgetting rooms. */
  loadRooms(): RoomState[] {
    let rooms: (RoomRow & { folded: string })[];
    let bans: BanRow[];
    try {
      rooms = this.db
        .query<RoomRow & { folded: string }, []>("SELECT * FROM rooms ORDER BY folded")
        .all();
      bans = this.db
        .query<BanRow, []>("SELECT room, mask, set_by, set_at FROM bans ORDER BY rowid")
        .all();
    } catch (err) {
      throw new StoreOpenError(this.path, `cannot read the saved rooms: ${describe(err)}`, err);
    }
    const byRoom = new Map<string, BanState[]>();
    for (const b of bans) {
      let list = byRoom.get(b.room);
      if (list === undefined) {
        list = [];
        byRoom.set(b.room, list);
      }
      list.push({ mask: b.mask, setBy: b.set_by, setAt: b.set_at });
    }
    return rooms.map((r) => {
      const room: RoomState = {
        name: r.name,
        created: r.created,
        flags: r.flags,
        bans: byRoom.get(r.folded) ?? [],
      };
      if (r.topic_text !== null) {
        room.topic = { text: r.topic_text, setBy: r.topic_by ?? "", setAt: r.topic_at ?? 0 };
      }
      if (r.chan_key !== null) room.key = r.chan_key;
      if (r.user_limit !== null) room.limit = r.user_limit;
      return room;
    });
  }

  /**
   * Run retention steps until every conversation is within the limit or
   * `maxSteps` steps ran. The background timer calls this with one step; tests
   * and shutdown may call it directly. Returns the rows deleted.
   */
  prune(maxSteps = 1): number {
    let deleted = 0;
    for (let step = 0; step < maxSteps && this.overLimit.size > 0 && !this.closed; step++) {
      let budget = this.pruneStep;
      try {
        this.db.transaction(() => {
          for (const key of this.overLimit) {
            if (budget <= 0) break;
            const count = this.counts.get(key) ?? 0;
            const excess = Math.min(count - this.history, budget);
            if (excess > 0) {
              const res = this.db
                .query<never, [string, number]>(
                  "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE key = ? ORDER BY time, id LIMIT ?)",
                )
                .run(key, excess);
              budget -= res.changes;
              deleted += res.changes;
              this.counts.set(key, count - res.changes);
            }
            if ((this.counts.get(key) ?? 0) <= this.history) this.overLimit.delete(key);
          }
        })();
      } catch (err) {
        this.logError(`history: retention step failed: ${describe(err)}`);
        break;
      }
    }
    return deleted;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.pending.length > 0) {
      this.logError(`history: ${this.pending.length} messages could not be saved before closing`);
    }
    this.closed = true;
    if (this.pruneTimer !== undefined) clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
    if (this.startupScan !== undefined) clearTimeout(this.startupScan);
    this.startupScan = undefined;
    this.stopIntegrityCheck?.();
    this.stopIntegrityCheck = undefined;
    try {
      // Fold the WAL back into the main file so a clean stop leaves one file.
      this.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // A failed checkpoint loses nothing: the WAL is replayed on next open.
    }
    this.db.close(false);
  }

  /** Account for `n` rows just committed to `key` (a first sight counts what is there). */
  private countAdded(key: string, n: number): void {
    let count = this.counts.get(key);
    if (count === undefined) {
      count =
        this.db
          .query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM messages WHERE key = ?")
          .get(key)?.n ?? 0;
    } else {
      count += n;
    }
    this.counts.set(key, count);
    if (count > this.history) {
      this.overLimit.add(key);
      this.schedulePrune();
    }
  }

  /**
   * Conversations already over the limit when the store opened (e.g.
   * `--history` was lowered). Runs once, shortly after start; tests that
   * cannot wait call it directly.
   */
  findOversized(): void {
    if (this.closed) return;
    let rows: { key: string; n: number }[];
    try {
      rows = this.db
        .query<{ key: string; n: number }, [number]>(
          "SELECT key, COUNT(*) AS n FROM messages GROUP BY key HAVING COUNT(*) > ?",
        )
        .all(this.history);
    } catch (err) {
      this.logError(`history: could not check room sizes for retention: ${describe(err)}`);
      return;
    }
    for (const r of rows) {
      // A key flushed since start already has an exact count; keep the larger.
      this.counts.set(r.key, Math.max(r.n, this.counts.get(r.key) ?? 0));
      this.overLimit.add(r.key);
    }
    if (rows.length > 0) this.schedulePrune();
  }

  private schedulePrune(): void {
    if (this.pruneTimer !== undefined || this.closed) return;
    this.pruneTimer = setTimeout(() => {
      this.pruneTimer = undefined;
      this.prune(1);
      if (this.overLimit.size > 0) this.schedulePrune();
    }, this.pruneIntervalMs);
    // Retention must never keep a stopping server alive.
    this.pruneTimer.unref?.();
  }

  /** The cuts a ref stands for, or undefined for a msgid this conversation does not hold. */
  private cuts(key: string, ref: HistoryRef): { low: Cut; high: Cut } | undefined {
    if ("time" in ref) return cutsOf(ref.time);
    let row: { id: number; time: number } | null;
    try {
      row = this.db
        .query<{ id: number; time: number }, [string, string]>(
          "SELECT id, time FROM messages WHERE msgid = ? AND key = ?",
        )
        .get(ref.msgid, key);
    } catch (err) {
      this.logError(`history: could not read ${key}: ${describe(err)}`);
      return undefined;
    }
    if (row === null) return undefined;
    const cut = { time: row.time, id: row.id };
    return { low: cut, high: cut };
  }

  /**
   * Messages of `key` above `lower` and below `upper` in (time, id) order
   * (either side may be open), `limit` of them taken from the upper end when
   * `fromTop`, returned oldest first. Each bound is written as a range on
   * `time` (which the (key, time) index serves) plus an id tie-break.
   */
  private range(
    key: string,
    lower: { cut: Cut; inclusive: boolean } | undefined,
    upper: { cut: Cut; inclusive: boolean } | undefined,
    limit: number,
    fromTop: boolean,
  ): HistoryEntry[] {
    const where = ["key = ?"];
    const params: (string | number)[] = [key];
    if (lower !== undefined) {
      where.push(`time >= ? AND (time > ? OR id ${lower.inclusive ? ">=" : ">"} ?)`);
      params.push(lower.cut.time, lower.cut.time, lower.cut.id);
    }
    if (upper !== undefined) {
      where.push(`time <= ? AND (time < ? OR id ${upper.inclusive ? "<=" : "<"} ?)`);
      params.push(upper.cut.time, upper.cut.time, upper.cut.id);
    }
    params.push(limit);
    const dir = fromTop ? "DESC" : "ASC";
    const sql = `SELECT ${COLS} FROM messages WHERE ${where.join(" AND ")} ORDER BY time ${dir}, id ${dir} LIMIT ?`;
    let rows: MessageRow[];
    try {
      rows = this.stmt(sql).all(...params);
    } catch (err) {
      // A read failing mid-run (I/O error, damaged page) must not take the
      // server down with it: report it and answer with no history.
      this.logError(`history: could not read ${key}: ${describe(err)}`);
      return [];
    }
    if (fromTop) rows.reverse();
    return rows.map(toEntry);
  }

  /** `db.query` caches by SQL text; the handful of shapes `range` builds stay cached. */
  private stmt(sql: string): Statement<MessageRow, (string | number)[]> {
    return this.db.query<MessageRow, (string | number)[]>(sql);
  }

  private logError(message: string): void {
    // One line per second at most: a full disk must not flood the log either.
    const now = Date.now();
    if (now - this.lastErrorLog < 1000) {
      this.suppressedErrors++;
      return;
    }
    const extra =
      this.suppressedErrors > 0 ? ` (${this.suppressedErrors} similar errors hidden)` : "";
    this.suppressedErrors = 0;
    this.lastErrorLog = now;
    this.onError(message + extra);
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
