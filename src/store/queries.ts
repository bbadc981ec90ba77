/**
 * The history queries, written once for every store. A store supplies one
 * primitive, an ordered range of one conversation (a binary search in memory,
 * an indexed SELECT in SQLite); what "before", "around", "between" and
 * "targets" mean is decided here, so the implementations cannot drift apart.
 */
import type { HistoryEntry, HistoryRef, HistoryTarget } from "./store.ts";

/**
 * A point in a conversation's order, which is by time and then arrival (`id`
 * grows with every stored message, from 1).
 */
export interface Cut {
  time: number;
  id: number;
}

export function compareCut(a: Cut, b: Cut): number {
  return a.time - b.time || a.id - b.id;
}

/** One end of a range: messages beyond `cut`, and `cut` itself when `inclusive`. */
export interface Bound {
  cut: Cut;
  inclusive: boolean;
}

/**
 * Messages of one conversation above `lower` and below `upper` (either may be
 * open), at most `limit` of them: the newest ones in that range, or the oldest.
 */
export interface Span {
  key: string;
  lower?: Bound;
  upper?: Bound;
  limit: number;
  take: "newest" | "oldest";
}

/** What a store answers so that `HistoryQueries` can answer the rest. */
export interface ConversationIndex {
  /** Where `msgid` sits in conversation `key`; undefined if `key` does not hold it (or a read failed). */
  locate(key: string, msgid: string): Cut | undefined;
  /** The messages `span` selects, oldest first; a failed read answers []. */
  range(span: Span): HistoryEntry[];
  /** Keys of the private conversations a casefolded nick takes part in. */
  privateKeysOf(nick: string): Iterable<string>;
}

/**
 * The two cuts a ref stands for. A msgid is one message, so both are its own
 * place; a timestamp falls between messages: those before it are below `low`
 * and those after it are above `high`, whatever their arrival.
 */
interface Cuts {
  low: Cut;
  high: Cut;
}

function cutsOfTime(time: number): Cuts {
  return { low: { time, id: 0 }, high: { time, id: Number.MAX_SAFE_INTEGER } };
}

/** Sort `targets` rows from the `from` end and keep `limit`. */
function orderTargets(rows: HistoryTarget[], latestFirst: boolean, limit: number): HistoryTarget[] {
  rows.sort((x, y) =>
    latestFirst
      ? y.time - x.time || (x.key < y.key ? -1 : 1)
      : x.time - y.time || (x.key < y.key ? -1 : 1),
  );
  return rows.slice(0, limit);
}

/**
 * The read half of `HistoryStore` (store.ts gives each method's contract),
 * for a store to extend: it supplies `index`, and `beforeRead` when buffered
 * writes must land before a query sees the data.
 */
export abstract class IndexedHistory {
  protected abstract readonly index: ConversationIndex;

  protected beforeRead(): void {}

  latest(key: string, limit: number): HistoryEntry[] {
    if (!this.ready(limit)) return [];
    return this.index.range({ key, limit, take: "newest" });
  }

  before(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    if (!this.ready(limit)) return [];
    const c = this.cuts(key, ref);
    if (c === undefined) return [];
    return this.index.range({
      key,
      upper: { cut: c.low, inclusive: false },
      limit,
      take: "newest",
    });
  }

  after(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    if (!this.ready(limit)) return [];
    const c = this.cuts(key, ref);
    if (c === undefined) return [];
    return this.index.range({
      key,
      lower: { cut: c.high, inclusive: false },
      limit,
      take: "oldest",
    });
  }

  around(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    if (!this.ready(limit)) return [];
    const c = this.cuts(key, ref);
    if (c === undefined) return [];
    const older = this.index.range({
      key,
      upper: { cut: c.low, inclusive: false },
      limit,
      take: "newest",
    });
    const newer = this.index.range({
      key,
      lower: { cut: c.low, inclusive: true },
      limit,
      take: "oldest",
    });
    const half = Math.floor(limit / 2);
    const takeNewer = Math.min(newer.length, limit - Math.min(half, older.length));
    const takeOlder = Math.min(older.length, limit - takeNewer);
    return [...older.slice(older.length - takeOlder), ...newer.slice(0, takeNewer)];
  }

  between(key: string, a: HistoryRef, b: HistoryRef, limit: number): HistoryEntry[] {
    if (!this.ready(limit)) return [];
    const ca = this.cuts(key, a);
    const cb = ca !== undefined ? this.cuts(key, b) : undefined;
    if (ca === undefined || cb === undefined) return [];
    // Same range either way; when `a` is the later end, the ones nearest it are the newest.
    const aFirst = compareCut(ca.low, cb.low) <= 0;
    const older = aFirst ? ca : cb;
    const newer = aFirst ? cb : ca;
    return this.index.range({
      key,
      lower: { cut: older.high, inclusive: false },
      upper: { cut: newer.low, inclusive: false },
      limit,
      take: aFirst ? "oldest" : "newest",
    });
  }

  targets(
    keys: readonly string[],
    from: number,
    to: number,
    limit: number,
    nick?: string,
  ): HistoryTarget[] {
    if (!this.ready(limit)) return [];
    const wanted = new Set(keys);
    if (nick !== undefined) for (const key of this.index.privateKeysOf(nick)) wanted.add(key);
    const lower: Bound = { cut: cutsOfTime(Math.min(from, to)).high, inclusive: false };
    const upper: Bound = { cut: cutsOfTime(Math.max(from, to)).low, inclusive: false };
    const found: HistoryTarget[] = [];
    for (const key of wanted) {
      const [last] = this.index.range({ key, lower, upper, limit: 1, take: "newest" });
      if (last === undefined) continue;
      const { target, source, time, msgid } = last;
      found.push({ key, target, source, time, msgid });
    }
    return orderTargets(found, from > to, limit);
  }

  /** Whether a query for `limit` messages can return any, with the store ready for it. */
  private ready(limit: number): boolean {
    if (limit <= 0) return false;
    this.beforeRead();
    return true;
  }

  /** The cuts a ref stands for, or undefined for a msgid this conversation does not hold. */
  private cuts(key: string, ref: HistoryRef): Cuts | undefined {
    if ("time" in ref) return cutsOfTime(ref.time);
    const cut = this.index.locate(key, ref.msgid);
    return cut === undefined ? undefined : { low: cut, high: cut };
  }
}
