/**
 * SQLite HistoryStore on bun:sqlite: the parts put together. Opening and the
 * schema are in sqlite/database.ts, the buffered writes in sqlite/writer.ts,
 * the reads in sqlite/reads.ts (behind the queries shared with the memory
 * store), room state in sqlite/rooms.ts, retention in sqlite/pruner.ts and
 * the SEARCH index's batches in sqlite/search-index.ts.
 */
import type { Database } from "bun:sqlite";
import { checkIntegrityInBackground, type IntegrityResult } from "./integrity.ts";
import { IndexedHistory } from "./queries.ts";
import { checkHistoryLimit } from "./retention.ts";
import type { SearchQuery } from "./search.ts";
import { Checkpointer } from "./sqlite/checkpointer.ts";
import { openDatabase } from "./sqlite/database.ts";
import { describe, ErrorLog, oneLine } from "./sqlite/log.ts";
import { SqliteMarkers } from "./sqlite/markers.ts";
import { Pruner } from "./sqlite/pruner.ts";
import { SqliteIndex } from "./sqlite/reads.ts";
import { SqliteRooms } from "./sqlite/rooms.ts";
import { SqliteSearch } from "./sqlite/search.ts";
import { SearchIndex } from "./sqlite/search-index.ts";
import { BatchWriter } from "./sqlite/writer.ts";
import type { HistoryEntry, HistoryStore, RoomState } from "./store.ts";

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
  /** Delay between WAL checkpoints on the checkpoint worker, ms (file databases only). */
  checkpointIntervalMs?: number;
}

/** Delay before the one-off scan for oversized conversations after opening. */
const STARTUP_SCAN_DELAY_MS = 2_000;
/** Often enough that the WAL stays a few MB under a busy fan-out, rare enough to cost nothing idle. */
const CHECKPOINT_INTERVAL_MS = 500;
/**
 * The search index's batches (sqlite/search-index.ts): big enough that FTS5
 * writes few segments, small enough that one batch is a short step.
 */
const SEARCH_INDEX = { batchRows: 256, maxDelayMs: 1_000 };
/** SQLite's own default, used again if the checkpoint worker fails. */
const AUTOCHECKPOINT_PAGES = 1000;

export class SqliteStore extends IndexedHistory implements HistoryStore {
  readonly path: string;
  /** The background file check's verdict once known; undefined if it did not run. */
  readonly integrity: Promise<IntegrityResult | undefined>;
  protected readonly index: SqliteIndex;
  private readonly db: Database;
  private readonly log: ErrorLog;
  private readonly writer: BatchWriter;
  private readonly rooms: SqliteRooms;
  private readonly markers: SqliteMarkers;
  private readonly searcher: SqliteSearch;
  private readonly searchIndex: SearchIndex;
  private readonly pruner: Pruner;
  private stopIntegrityCheck: (() => void) | undefined;
  private readonly checkpointer: Checkpointer | undefined;
  private closed = false;

  constructor(opts: SqliteStoreOptions) {
    super();
    const history = checkHistoryLimit(opts.history);
    this.path = opts.path;
    this.log = new ErrorLog(opts.onError ?? ((m) => console.error(m)));
    this.db = openDatabase(opts.path);
    this.index = new SqliteIndex(this.db, this.log);
    this.rooms = new SqliteRooms(this.db, opts.path, this.log);
    this.markers = new SqliteMarkers(this.db, this.log);
    this.searcher = new SqliteSearch(this.db, this.log);
    this.pruner = new Pruner(this.db, this.log, {
      history,
      step: opts.pruneStep ?? 500,
      intervalMs: opts.pruneIntervalMs ?? 20,
    });
    this.searchIndex = new SearchIndex(this.db, this.log, SEARCH_INDEX);
    this.writer = new BatchWriter(this.db, this.log, (added) => {
      this.pruner.committed(added);
      let rows = 0;
      for (const n of added.values()) rows += n;
      this.searchIndex.committed(rows);
    });
    // Rows a crash left unindexed: restored in the background (a search catches up first anyway).
    this.searchIndex.catchUpSoon();
    this.checkpointer = this.startCheckpoints(opts.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS);
    this.integrity = this.startIntegrityCheck(opts.integrityCheck !== false);
    this.pruner.scanSoon(opts.startupScanDelayMs ?? STARTUP_SCAN_DELAY_MS);
  }

  append(entry: HistoryEntry): void {
    this.writer.append(entry);
  }

  flush(): void {
    this.writer.flush();
  }

  /** A query sees every message appended so far. */
  protected override beforeRead(): void {
    this.writer.flush();
  }

  moveConversation(from: string, to: string, target: string): void {
    if (this.closed || from === to) return;
    this.writer.flush();
    try {
      this.db.run("UPDATE messages SET key = ?, target = ? WHERE key = ?", [to, target, from]);
      this.pruner.moved(from, to);
    } catch (err) {
      this.log.report(`history: could not move ${from} to ${to}: ${describe(err)}`);
    }
  }

  redact(key: string, msgid: string): boolean {
    if (this.closed) return false;
    this.writer.flush();
    try {
      const res = this.db.run("DELETE FROM messages WHERE key = ? AND msgid = ?", [key, msgid]);
      if (res.changes > 0) this.pruner.removed(key);
      return res.changes > 0;
    } catch (err) {
      this.log.report(`history: could not redact ${msgid} in ${key}: ${describe(err)}`);
      return false;
    }
  }

  saveRoom(room: RoomState): void {
    if (!this.closed) this.rooms.save(room);
  }

  deleteRoom(name: string): void {
    if (!this.closed) this.rooms.delete(name);
  }

  /** Called at start: a damaged rooms table stops the server (StoreOpenError) rather than forgetting rooms. */
  loadRooms(): RoomState[] {
    return this.rooms.load();
  }

  search(keys: readonly string[], q: SearchQuery, nick?: string): HistoryEntry[] {
    if (this.closed) return [];
    this.writer.flush();
    // Everything committed is searchable: the index's pending batch goes first.
    this.searchIndex.catchUp();
    return this.searcher.search(keys, q, nick);
  }

  readMarker(nick: string, target: string): number | undefined {
    return this.closed ? undefined : this.markers.read(nick, target);
  }

  saveReadMarker(nick: string, target: string, time: number): void {
    if (!this.closed) this.markers.save(nick, target, time);
  }

  /**
   * Run retention steps until every conversation is within the limit or
   * `maxSteps` steps ran. The background timer calls this with one step; tests
   * and shutdown may call it directly. Returns the rows deleted.
   */
  prune(maxSteps = 1): number {
    return this.pruner.prune(maxSteps);
  }

  /**
   * Conversations already over the limit when the store opened (e.g.
   * `--history` was lowered). Runs once, shortly after start; tests that
   * cannot wait call it directly.
   */
  findOversized(): void {
    this.pruner.findOversized();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const unsaved = this.writer.close();
    if (unsaved > 0) {
      this.log.report(`history: ${unsaved} messages could not be saved before closing`);
    }
    this.searchIndex.catchUp();
    this.searchIndex.stop();
    this.pruner.stop();
    this.stopIntegrityCheck?.();
    this.stopIntegrityCheck = undefined;
    this.checkpointer?.stop();
    try {
      // Fold the WAL back into the main file so a clean stop leaves one file. The worker may
      // be finishing a checkpoint (busy: 1 in the result), so wait for it a little.
      const truncate = this.db.query<{ busy: number }, []>("PRAGMA wal_checkpoint(TRUNCATE)");
      for (let i = 0; i < 100 && (truncate.get()?.busy ?? 0) !== 0; i++) Bun.sleepSync(10);
    } catch {
      // A failed checkpoint loses nothing: the WAL is replayed on next open.
    }
    this.db.close(false);
  }

  /** WAL checkpoints off the event loop (sqlite/checkpointer.ts); inside commits if that fails. */
  private startCheckpoints(intervalMs: number): Checkpointer | undefined {
    if (this.path === ":memory:") return undefined;
    const fallBack = (reason: string): void => {
      if (this.closed) return;
      this.log.report(
        `history: background WAL checkpoints stopped (${oneLine([reason])}); checkpointing inside commits instead`,
      );
      this.db.run(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    };
    this.db.run("PRAGMA wal_autocheckpoint = 0");
    const c = new Checkpointer({ path: this.path, intervalMs, onFailure: fallBack });
    return c.start() ? c : undefined;
  }

  private startIntegrityCheck(wanted: boolean): Promise<IntegrityResult | undefined> {
    if (this.path === ":memory:" || !wanted) return Promise.resolve(undefined);
    return new Promise((settle) => {
      this.stopIntegrityCheck = checkIntegrityInBackground(this.path, (result) => {
        settle(result);
        if (result.ok || this.closed) return;
        // Not rate-limited: this is the one message the operator must see.
        this.log.urgent(
          `history: the database ${this.path} is damaged (${oneLine(result.problems).slice(0, 300)}); ` +
            "live chat goes on but some history may be unreadable or unsaved. " +
            "Stop the server and move the file aside (or recover it with sqlite3's .recover) to start clean.",
        );
      });
    });
  }
}
