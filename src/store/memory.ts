/**
 * In-memory HistoryStore: the reference implementation of the contract, used by
 * tests and by anything that needs history without a file. Each conversation
 * keeps at most `history` messages; the oldest fall off first.
 */
import { foldCase } from "../protocol/casemap.ts";
import {
  type Cut,
  compareCut,
  cutsOf,
  type HistoryEntry,
  type HistoryRef,
  type HistoryStore,
  type HistoryTarget,
  isPrivateKey,
  orderTargets,
  type RoomState,
} from "./store.ts";

export interface MemoryStoreOptions {
  /** Messages kept per conversation. */
  history: number;
}

interface Stored {
  entry: HistoryEntry;
  /** Arrival number, the tie-break between equal times. */
  seq: number;
}

/** One conversation's messages in (time, arrival) order, trimmed from the front lazily. */
class Conversation {
  private items: Stored[] = [];
  /** Index of the oldest live message in `items`; avoids O(n) shifts on every trim. */
  private start = 0;

  get length(): number {
    return this.items.length - this.start;
  }

  /** Insert in order (nearly always at the end) and return what fell off the front. */
  push(item: Stored, cap: number): Stored[] {
    let i = this.items.length;
    while (i > this.start && (this.items[i - 1]?.entry.time ?? 0) > item.entry.time) i--;
    this.items.splice(i, 0, item);
    const dropped: Stored[] = [];
    while (this.length > cap) {
      const d = this.items[this.start];
      if (d !== undefined) dropped.push(d);
      this.start++;
    }
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return dropped;
  }

  at(i: number): Stored {
    const e = this.items[this.start + i];
    if (e === undefined) throw new RangeError(`history index ${i} out of range`);
    return e;
  }

  /** Entries in [from, to), clamped. */
  slice(from: number, to: number): HistoryEntry[] {
    const lo = Math.max(0, from);
    const hi = Math.min(this.length, to);
    const out: HistoryEntry[] = [];
    for (let i = lo; i < hi; i++) out.push({ ...this.at(i).entry });
    return out;
  }

  /** Number of messages ordered before `cut` (binary search). */
  countBelow(cut: Cut): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = this.at(mid);
      if (compareCut({ time: s.entry.time, id: s.seq }, cut) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of messages ordered at or before `cut`. */
  countUpTo(cut: Cut): number {
    return this.countBelow({ time: cut.time, id: cut.id + 0.5 });
  }
}

export class MemoryStore implements HistoryStore {
  private readonly history: number;
  private readonly conversations = new Map<string, Conversation>();
  /** msgid -> where it sits, for msgid references. */
  private readonly byMsgid = new Map<string, { key: string; cut: Cut }>();
  private readonly rooms = new Map<string, RoomState>();
  private seq = 0;

  constructor(opts: MemoryStoreOptions) {
    if (!Number.isInteger(opts.history) || opts.history < 1) {
      throw new RangeError(`history must be a positive integer, got ${opts.history}`);
    }
    this.history = opts.history;
  }

  append(entry: HistoryEntry): void {
    if (this.byMsgid.has(entry.msgid)) return;
    let conv = this.conversations.get(entry.key);
    if (conv === undefined) {
      conv = new Conversation();
      this.conversations.set(entry.key, conv);
    }
    const seq = ++this.seq;
    this.byMsgid.set(entry.msgid, { key: entry.key, cut: { time: entry.time, id: seq } });
    for (const d of conv.push({ entry: { ...entry }, seq }, this.history)) {
      this.byMsgid.delete(d.entry.msgid);
    }
  }

  flush(): void {
    // Nothing to commit: appends are visible at once.
  }

  latest(key: string, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    if (conv === undefined || limit <= 0) return [];
    return conv.slice(conv.length - limit, conv.length);
  }

  before(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    const cuts = this.cuts(key, ref);
    if (conv === undefined || cuts === undefined || limit <= 0) return [];
    const end = conv.countBelow(cuts.low);
    return conv.slice(end - limit, end);
  }

  after(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    const cuts = this.cuts(key, ref);
    if (conv === undefined || cuts === undefined || limit <= 0) return [];
    const from = conv.countUpTo(cuts.high);
    return conv.slice(from, from + limit);
  }

  around(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    const cuts = this.cuts(key, ref);
    if (conv === undefined || cuts === undefined || limit <= 0) return [];
    const mid = conv.countBelow(cuts.low);
    let from = Math.max(0, mid - Math.floor(limit / 2));
    const to = Math.min(conv.length, from + limit);
    from = Math.max(0, to - limit);
    return conv.slice(from, to);
  }

  between(key: string, a: HistoryRef, b: HistoryRef, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    const ca = this.cuts(key, a);
    const cb = this.cuts(key, b);
    if (conv === undefined || ca === undefined || cb === undefined || limit <= 0) return [];
    if (compareCut(ca.low, cb.low) <= 0) {
      const from = conv.countUpTo(ca.high);
      const to = conv.countBelow(cb.low);
      return conv.slice(from, Math.min(to, from + limit));
    }
    const from = conv.countUpTo(cb.high);
    const to = conv.countBelow(ca.low);
    return conv.slice(Math.max(from, to - limit), to);
  }

  targets(
    keys: readonly string[],
    from: number,
    to: number,
    limit: number,
    nick?: string,
  ): HistoryTarget[] {
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    const wanted = new Set(keys);
    if (nick !== undefined) {
      for (const key of this.conversations.keys()) {
        if (isPrivateKey(key) && key.split(" ").includes(nick)) wanted.add(key);
      }
    }
    const found: HistoryTarget[] = [];
    for (const key of wanted) {
      const conv = this.conversations.get(key);
      if (conv === undefined) continue;
      const end = conv.countBelow({ time: hi, id: 0 });
      const last = end > 0 ? conv.at(end - 1).entry : undefined;
      if (last !== undefined && last.time > lo) {
        found.push({
          key,
          target: last.target,
          source: last.source,
          time: last.time,
          msgid: last.msgid,
        });
      }
    }
    return orderTargets(found, from > to, limit);
  }

  saveRoom(room: RoomState): void {
    this.rooms.set(foldCase(room.name), structuredClone(room));
  }

  deleteRoom(name: string): void {
    this.rooms.delete(foldCase(name));
  }

  loadRooms(): RoomState[] {
    return [...this.rooms.values()].map((r) => structuredClone(r));
  }

  close(): void {
    this.conversations.clear();
    this.byMsgid.clear();
  }

  private cuts(key: string, ref: HistoryRef): { low: Cut; high: Cut } | undefined {
    if ("time" in ref) return cutsOf(ref.time);
    const where = this.byMsgid.get(ref.msgid);
    if (where === undefined || where.key !== key) return undefined;
    return { low: where.cut, high: where.cut };
  }
}
