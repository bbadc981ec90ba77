/**
 * Retention for the SQLite store, off the hot path: a conversation that grows
 * past the limit (the shared rule, retention.ts) is trimmed by a background
 * timer in bounded steps, so no step stalls the event loop.
 */
import type { Database } from "bun:sqlite";
import { RetentionLedger, type Trim } from "../retention.ts";
import { describe, type ErrorLog } from "./log.ts";
import type { Added } from "./writer.ts";

export interface PrunerOptions {
  /** Messages kept per conversation. */
  history: number;
  /** Rows deleted per step. */
  step: number;
  /** Delay between steps, ms. */
  intervalMs: number;
}

export class Pruner {
  /** Row counts are learnt lazily: on a conversation's first commit, or by `findOversized`. */
  private readonly ledger: RetentionLedger;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scanTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly log: ErrorLog,
    private readonly opts: PrunerOptions,
  ) {
    this.ledger = new RetentionLedger(opts.history);
  }

  /** A row of `key` was deleted outside retention (a redaction). */
  removed(key: string): void {
    if (this.ledger.count(key) !== undefined) this.ledger.added(key, -1);
  }

  /** Rows of `from` now belong to `to`: `from` holds none, `to` is counted again. */
  moved(from: string, to: string): void {
    this.ledger.set(from, 0);
    const row = this.db
      .query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM messages WHERE key = ?")
      .get(to);
    this.ledger.set(to, row?.n ?? 0);
    if (this.ledger.overLimit) this.schedule();
  }

  /** Account for rows just committed (a first sight counts what is there). */
  committed(added: Added): void {
    for (const [key, n] of added) {
      if (this.ledger.count(key) === undefined) {
        try {
          const row = this.db
            .query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM messages WHERE key = ?")
            .get(key);
          this.ledger.set(key, row?.n ?? 0);
        } catch (err) {
          // Left uncounted: the next commit to this conversation counts again.
          this.log.report(`history: could not count ${key} for retention: ${describe(err)}`);
        }
      } else {
        this.ledger.added(key, n);
      }
    }
    if (this.ledger.overLimit) this.schedule();
  }

  /**
   * Counting every conversation is a full index scan: run it once after
   * `delayMs`, off the path to accepting connections (it matters only if
   * --history was lowered).
   */
  scanSoon(delayMs: number): void {
    this.scanTimer = setTimeout(() => {
      this.scanTimer = undefined;
      this.findOversized();
    }, delayMs);
    this.scanTimer.unref?.();
  }

  /** Find conversations already over the limit when the store opened. */
  findOversized(): void {
    if (this.stopped) return;
    let rows: { key: string; n: number }[];
    try {
      rows = this.db
        .query<{ key: string; n: number }, [number]>(
          "SELECT key, COUNT(*) AS n FROM messages GROUP BY key HAVING COUNT(*) > ?",
        )
        .all(this.ledger.history);
    } catch (err) {
      this.log.report(`history: could not check room sizes for retention: ${describe(err)}`);
      return;
    }
    for (const r of rows) {
      // A key committed to since start already has an exact count; keep the larger.
      this.ledger.set(r.key, Math.max(r.n, this.ledger.count(r.key) ?? 0));
    }
    if (rows.length > 0) this.schedule();
  }

  /** Run up to `maxSteps` steps while any conversation is over the limit; returns the rows deleted. */
  prune(maxSteps: number): number {
    let deleted = 0;
    for (let step = 0; step < maxSteps && this.ledger.overLimit && !this.stopped; step++) {
      const done: [Trim, number][] = [];
      try {
        this.db.transaction(() => {
          const del = this.db.query<never, [string, number]>(
            "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE key = ? ORDER BY time, id LIMIT ?)",
          );
          for (const trim of this.ledger.plan(this.opts.step)) {
            done.push([trim, del.run(trim.key, trim.count).changes]);
          }
        })();
      } catch (err) {
        this.log.report(`history: retention step failed: ${describe(err)}`);
        break;
      }
      // Counted only once committed: a rolled-back step deleted nothing.
      for (const [trim, n] of done) {
        this.ledger.trimmed(trim, n);
        deleted += n;
      }
    }
    return deleted;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.scanTimer !== undefined) clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.prune(1);
      if (this.ledger.overLimit) this.schedule();
    }, this.opts.intervalMs);
    // Retention must never keep a stopping server alive.
    this.timer.unref?.();
  }
}
