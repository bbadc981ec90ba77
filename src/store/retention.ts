/**
 * Retention, the same rule for every store: each conversation keeps its newest
 * `history` messages. The ledger knows how many each conversation holds and
 * plans which oldest ones go; the memory store drops them at once, the SQLite
 * store in small background steps so no step stalls the event loop.
 */

/** A per-conversation limit as `--history` allows it; a RangeError names a bad one. */
export function checkHistoryLimit(history: number): number {
  if (!Number.isInteger(history) || history < 1) {
    throw new RangeError(`history must be a positive integer, got ${history}`);
  }
  return history;
}

/** Rows to delete from one conversation, oldest first. */
export interface Trim {
  key: string;
  count: number;
}

export class RetentionLedger {
  readonly history: number;
  private readonly counts = new Map<string, number>();
  /** Conversations holding more than `history` messages. */
  private readonly over = new Set<string>();

  constructor(history: number) {
    this.history = checkHistoryLimit(history);
  }

  /** Messages held in `key`, if known (a store may learn counts lazily). */
  count(key: string): number | undefined {
    return this.counts.get(key);
  }

  /** Record that `key` holds `count` messages. */
  set(key: string, count: number): void {
    this.counts.set(key, count);
    if (count > this.history) this.over.add(key);
    else this.over.delete(key);
  }

  /** Record `n` messages added to `key` (an unknown key counts from zero). */
  added(key: string, n: number): void {
    this.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** Whether some conversation is over the limit. */
  get overLimit(): boolean {
    return this.over.size > 0;
  }

  /** What to delete to bring conversations within the limit, at most `budget` rows in all. */
  plan(budget = Number.POSITIVE_INFINITY): Trim[] {
    const out: Trim[] = [];
    let left = budget;
    for (const key of this.over) {
      if (left <= 0) break;
      const count = Math.min((this.counts.get(key) ?? 0) - this.history, left);
      if (count <= 0) continue;
      out.push({ key, count });
      left -= count;
    }
    return out;
  }

  /** Record the outcome of a planned trim: `deleted` of its rows went. */
  trimmed(trim: Trim, deleted: number): void {
    // Fewer rows than asked means the conversation ran out: none are left.
    const held = deleted < trim.count ? 0 : (this.counts.get(trim.key) ?? 0) - deleted;
    this.set(trim.key, held);
  }

  forget(): void {
    this.counts.clear();
    this.over.clear();
  }
}
