/**
 * In-memory HistoryStore: the reference implementation of the contract, used by
 * tests and by anything that needs history without a file. Each conversation
 * keeps at most `history` messages; the oldest fall off first.
 */
import { foldCase } from "../protocol/casemap.ts";
import {
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

/** One conversation's messages in arrival order, trimmed from the front lazily. */
class Conversation {
  private items: HistoryEntry[] = [];
  /** Index of the oldest live message in `items`; avoids O(n) shifts on every trim. */
  private start = 0;

  get length(): number {
    return this.items.length - this.start;
  }

  push(entry: HistoryEntry, cap: number): void {
    this.items.push(entry);
    if (this.length > cap) this.start = this.items.length - cap;
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  at(i: number): HistoryEntry {
    const e = this.items[this.start + i];
    if (e === undefined) throw new RangeError(`history index ${i} out of range`);
    return e;
  }

  /** Live messages in [from, to), clamped. */
  slice(from: number, to: number): HistoryEntry[] {
    const lo = Math.max(0, from);
    const hi = Math.min(this.length, to);
    if (hi <= lo) return [];
    return this.items.slice(this.start + lo, this.start + hi);
  }

  /**
   * Index of the first message that comes after `ref` when `inclusive` is false,
   * or at-or-after it when true. A msgid that is not (or no longer) stored gives
   * undefined: the caller answers with nothing rather than guessing a position.
   */
  position(ref: HistoryRef, inclusive: boolean): number | undefined {
    if ("msgid" in ref) {
      for (let i = this.length - 1; i >= 0; i--) {
        if (this.at(i).msgid === ref.msgid) return inclusive ? i : i + 1;
      }
      return undefined;
    }
    // Times are mostly ascending but a clock step backwards must not hide
    // messages, so scan rather than binary-search.
    let i = 0;
    const n = this.length;
    while (i < n && (inclusive ? this.at(i).time < ref.time : this.at(i).time <= ref.time)) i++;
    return i;
  }

  /** Index just past the last message strictly before `ref`. */
  endBefore(ref: HistoryRef): number | undefined {
    if ("msgid" in ref) return this.position(ref, true);
    let i = 0;
    const n = this.length;
    while (i < n && this.at(i).time < ref.time) i++;
    return i;
  }
}

export class MemoryStore implements HistoryStore {
  private readonly history: number;
  private readonly conversations = new Map<string, Conversation>();
  private readonly rooms = new Map<string, RoomState>();

  constructor(opts: MemoryStoreOptions) {
    if (!Number.isInteger(opts.history) || opts.history < 1) {
      throw new RangeError(`history must be a positive integer, got ${opts.history}`);
    }
    this.history = opts.history;
  }

  append(entry: HistoryEntry): void {
    let conv = this.conversations.get(entry.key);
    if (conv === undefined) {
      conv = new Conversation();
      this.conversations.set(entry.key, conv);
    }
    conv.push({ ...entry }, this.history);
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
    if (conv === undefined || limit <= 0) return [];
    const end = conv.endBefore(ref);
    if (end === undefined) return [];
    return conv.slice(end - limit, end);
  }

  after(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    if (conv === undefined || limit <= 0) return [];
    const from = conv.position(ref, false);
    if (from === undefined) return [];
    return conv.slice(from, from + limit);
  }

  around(key: string, ref: HistoryRef, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    if (conv === undefined || limit <= 0) return [];
    const mid = conv.position(ref, true);
    if (mid === undefined) return [];
    // Half before the reference, the rest from it onwards (a msgid reference
    // includes the message itself, so a client sees what it asked about).
    const half = Math.floor(limit / 2);
    let from = Math.max(0, mid - half);
    const to = Math.min(conv.length, from + limit);
    from = Math.max(0, to - limit);
    return conv.slice(from, to);
  }

  between(key: string, a: HistoryRef, b: HistoryRef, limit: number): HistoryEntry[] {
    const conv = this.conversations.get(key);
    if (conv === undefined || limit <= 0) return [];
    const aAfter = conv.position(a, false);
    const bAfter = conv.position(b, false);
    const aBefore = conv.endBefore(a);
    const bBefore = conv.endBefore(b);
    if (
      aAfter === undefined ||
      bAfter === undefined ||
      aBefore === undefined ||
      bBefore === undefined
    ) {
      return [];
    }
    if (aBefore <= bBefore) {
      // a is the earlier bound: the `limit` messages right after a.
      const hi = bBefore;
      return conv.slice(aAfter, Math.min(hi, aAfter + limit));
    }
    // a is the later bound: the `limit` messages right before a.
    const lo = bAfter;
    return conv.slice(Math.max(lo, aBefore - limit), aBefore);
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
      for (let i = conv.length - 1; i >= 0; i--) {
        const e = conv.at(i);
        if (e.time > lo && e.time < hi) {
          found.push({ key, target: e.target, source: e.source, time: e.time });
          break;
        }
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
  }
}
