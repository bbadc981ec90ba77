/**
 * The write path: `append` buffers, `flush` commits the buffer in one
 * transaction, so the fan-out path pays one commit per event-loop turn, not
 * one per message. A commit that fails keeps its messages for the next one.
 */
import type { Database } from "bun:sqlite";
import { type HistoryEntry, isPrivateKey } from "../store.ts";
import { describe, type ErrorLog } from "./log.ts";

/** Buffered messages kept while the disk refuses writes, before the oldest are dropped (and logged). */
const MAX_PENDING = 100_000;

/** Rows a commit actually added, per conversation (a msgid already stored adds none). */
export type Added = ReadonlyMap<string, number>;

export class BatchWriter {
  private pending: HistoryEntry[] = [];
  private flushQueued = false;
  private closed = false;
  private readonly insertMany: (rows: HistoryEntry[]) => Map<string, number>;

  constructor(
    db: Database,
    private readonly log: ErrorLog,
    private readonly onCommit: (added: Added) => void,
  ) {
    const insert = db.query<never, [string, number, string, string, string, string, string]>(
      "INSERT OR IGNORE INTO messages (msgid, time, key, target, source, command, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const notePrivate = db.query<never, [string, string, string]>(
      "INSERT OR IGNORE INTO private_conversations (key, a, b) VALUES (?, ?, ?)",
    );
    this.insertMany = db.transaction((rows: HistoryEntry[]) => {
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
  }

  /** Messages buffered and not yet committed. */
  get unsaved(): number {
    return this.pending.length;
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
        this.log.report(`history: dropped ${dropped} unsaved messages: ${describe(err)}`);
      } else {
        this.log.report(
          `history: could not save ${batch.length} messages, will retry: ${describe(err)}`,
        );
      }
      return;
    }
    this.pending = [];
    this.onCommit(added);
  }

  /** A last flush, then nothing more is taken; returns how many messages stayed unsaved. */
  close(): number {
    this.flush();
    this.closed = true;
    return this.pending.length;
  }
}
