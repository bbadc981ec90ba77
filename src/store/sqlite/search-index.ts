/**
 * The SEARCH index (messages_fts) written in batches after the history commit,
 * not row by row inside it. FTS5 writes a new index segment for every statement
 * that inserts into it, so the old per-row trigger cost 12-70 µs a message on
 * the fan-out path (bench/findings.md); one INSERT ... SELECT over a few
 * hundred rows costs about nothing a row.
 *
 * messages_fts_progress.upto (migration 5) says how far the index goes: every
 * PRIVMSG/NOTICE with id <= upto is in it, none above. Each batch moves it in
 * the same transaction as the rows it indexes, so a crash loses nothing: the
 * rows above `upto` are indexed at the next start. A search first indexes
 * whatever is left, so it always sees every message committed before it.
 */
import type { Database } from "bun:sqlite";
import { describe, type ErrorLog } from "./log.ts";

export interface SearchIndexOptions {
  /** Rows committed but not indexed that start a batch on the next turn. */
  batchRows: number;
  /** The longest a smaller backlog waits for its batch, ms. */
  maxDelayMs: number;
}

/** Rows indexed per statement: bounds the time one background step holds the loop. */
const CHUNK_ROWS = 2_000;

export class SearchIndex {
  private readonly step: () => number;
  /** Rows committed since the index last caught up (an estimate: only schedules work). */
  private behind = 0;
  private soon = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    db: Database,
    private readonly log: ErrorLog,
    private readonly opts: SearchIndexOptions,
  ) {
    const upto = db.query<{ upto: number }, []>("SELECT upto FROM messages_fts_progress");
    const last = db.query<{ id: number | null }, []>("SELECT MAX(id) AS id FROM messages");
    const index = db.query<never, [number, number]>(
      "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id > ? AND id <= ? AND command IN ('PRIVMSG', 'NOTICE')",
    );
    const advance = db.query<never, [number]>("UPDATE messages_fts_progress SET upto = ?");
    // One chunk; returns how many ids it covered (0: the index is complete).
    this.step = db.transaction((): number => {
      const from = upto.get()?.upto ?? 0;
      const to = Math.min(last.get()?.id ?? 0, from + CHUNK_ROWS);
      if (to <= from) return 0;
      index.run(from, to);
      advance.run(to);
      return to - from;
    });
  }

  /** Rows were committed: index them soon, in one batch with whatever else is waiting. */
  committed(rows: number): void {
    if (this.stopped || rows <= 0) return;
    this.behind += rows;
    if (this.behind >= this.opts.batchRows) this.runSoon();
    else if (this.timer === undefined && !this.soon) {
      this.timer = setTimeout(this.background, this.opts.maxDelayMs);
      // Indexing must never keep a stopping server alive; the next start catches up.
      this.timer.unref?.();
    }
  }

  /**
   * Index the backlog in the background, starting next turn (at start: what a
   * crash left unindexed is restored without holding up the listen).
   */
  catchUpSoon(): void {
    if (!this.stopped) this.runSoon();
  }

  /** On the next turn: after this turn's socket writes, never before them. */
  private runSoon(): void {
    if (this.soon) return;
    this.soon = true;
    setImmediate(this.background);
  }

  private readonly background = (): void => {
    this.soon = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    try {
      // One chunk per turn: a big backlog (a start after a crash) never stalls relay.
      const covered = this.step();
      this.behind = 0;
      if (covered >= CHUNK_ROWS) this.runSoon();
    } catch (err) {
      // Left for the next batch or search; the messages themselves are saved.
      this.log.report(`history: could not index messages for SEARCH: ${describe(err)}`);
    }
  };

  /**
   * Index everything committed and not yet indexed, now (before a search, at
   * start and at close). False if that failed; a search then runs over what is
   * indexed.
   */
  catchUp(): boolean {
    try {
      let covered: number;
      do covered = this.step();
      while (covered > 0);
      this.behind = 0;
      return true;
    } catch (err) {
      this.log.report(`history: could not index messages for SEARCH: ${describe(err)}`);
      return false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
