/**
 * In-memory HistoryStore: the reference implementation of the contract, used by
 * tests and by anything that needs history without a file. The queries and
 * the retention rule are the shared ones (queries.ts, retention.ts); this file
 * only keeps the messages in order and finds ranges by binary search.
 */
import { foldCase } from "../protocol/casemap.ts";
import {
  type Bound,
  type ConversationIndex,
  type Cut,
  compareCut,
  IndexedHistory,
  type Span,
} from "./queries.ts";
import { RetentionLedger } from "./retention.ts";
import { matches, type SearchQuery } from "./search.ts";
import { type HistoryEntry, type HistoryStore, isPrivateKey, type RoomState } from "./store.ts";

export interface MemoryStoreOptions {
  /** Messages kept per conversation. */
  history: number;
}

interface Stored {
  entry: HistoryEntry;
  cut: Cut;
}

/** One conversation's messages in (time, arrival) order, trimmed from the front lazily. */
class Conversation {
  private items: Stored[] = [];
  /** Index of the oldest live message in `items`; avoids O(n) shifts on every trim. */
  private start = 0;

  get length(): number {
    return this.items.length - this.start;
  }

  /** Insert in order: nearly always at the end, earlier only if the clock stepped back. */
  insert(item: Stored): void {
    let i = this.items.length;
    while (i > this.start && compareCut(this.at(i - 1 - this.start).cut, item.cut) > 0) i--;
    this.items.splice(i, 0, item);
  }

  /** Every live message, oldest first, leaving this conversation empty. */
  drain(): Stored[] {
    const out = this.items.slice(this.start);
    this.items = [];
    this.start = 0;
    return out;
  }

  /** Remove the message `msgid`; whether it was here. */
  remove(msgid: string): boolean {
    for (let i = this.start; i < this.items.length; i++) {
      if (this.items[i]?.entry.msgid !== msgid) continue;
      this.items.splice(i, 1);
      return true;
    }
    return false;
  }

  /** Remove the `n` oldest messages and return them. */
  dropOldest(n: number): Stored[] {
    const count = Math.min(n, this.length);
    const dropped = this.items.slice(this.start, this.start + count);
    this.start += count;
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return dropped;
  }

  /** Copies of the entries in positions [from, to), clamped. */
  slice(from: number, to: number): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = Math.max(0, from); i < Math.min(this.length, to); i++) {
      out.push({ ...this.at(i).entry });
    }
    return out;
  }

  /** Position of the first message beyond `bound` going up: messages below it are excluded. */
  lowerEdge(bound: Bound): number {
    return bound.inclusive ? this.countBelow(bound.cut) : this.countUpTo(bound.cut);
  }

  /** Position just past the last message within `bound` going down. */
  upperEdge(bound: Bound): number {
    return bound.inclusive ? this.countUpTo(bound.cut) : this.countBelow(bound.cut);
  }

  private at(i: number): Stored {
    const e = this.items[this.start + i];
    if (e === undefined) throw new RangeError(`history index ${i} out of range`);
    return e;
  }

  /** Number of messages ordered before `cut` (binary search). */
  private countBelow(cut: Cut): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareCut(this.at(mid).cut, cut) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of messages ordered at or before `cut`. */
  private countUpTo(cut: Cut): number {
    return this.countBelow({ time: cut.time, id: cut.id + 0.5 });
  }
}

/** The messages, kept in memory, as the shared queries read them. */
class MemoryIndex implements ConversationIndex {
  readonly conversations = new Map<string, Conversation>();
  /** msgid -> where it sits, for msgid references. */
  readonly byMsgid = new Map<string, { key: string; cut: Cut }>();

  locate(key: string, msgid: string): Cut | undefined {
    const where = this.byMsgid.get(msgid);
    return where?.key === key ? where.cut : undefined;
  }

  range({ key, lower, upper, limit, take }: Span): HistoryEntry[] {
    const conv = this.conversations.get(key);
    if (conv === undefined) return [];
    const from = lower === undefined ? 0 : conv.lowerEdge(lower);
    const to = upper === undefined ? conv.length : conv.upperEdge(upper);
    if (from >= to) return [];
    return take === "newest"
      ? conv.slice(Math.max(from, to - limit), to)
      : conv.slice(from, Math.min(to, from + limit));
  }

  *privateKeysOf(nick: string): Iterable<string> {
    for (const key of this.conversations.keys()) {
      if (isPrivateKey(key) && key.split(" ").includes(nick)) yield key;
    }
  }
}

export class MemoryStore extends IndexedHistory implements HistoryStore {
  protected readonly index = new MemoryIndex();
  private readonly retention: RetentionLedger;
  private readonly rooms = new Map<string, RoomState>();
  /** "nick target" -> time. */
  private readonly markers = new Map<string, number>();
  private seq = 0;

  constructor(opts: MemoryStoreOptions) {
    super();
    this.retention = new RetentionLedger(opts.history);
  }

  append(entry: HistoryEntry): void {
    const { conversations, byMsgid } = this.index;
    if (byMsgid.has(entry.msgid)) return;
    let conv = conversations.get(entry.key);
    if (conv === undefined) {
      conv = new Conversation();
      conversations.set(entry.key, conv);
    }
    const cut = { time: entry.time, id: ++this.seq };
    byMsgid.set(entry.msgid, { key: entry.key, cut });
    conv.insert({ entry: { ...entry }, cut });
    this.retention.added(entry.key, 1);
    this.trim();
  }

  /** Drop what retention says is over the limit. */
  private trim(): void {
    const { conversations, byMsgid } = this.index;
    for (const trim of this.retention.plan()) {
      const dropped = conversations.get(trim.key)?.dropOldest(trim.count) ?? [];
      for (const d of dropped) byMsgid.delete(d.entry.msgid);
      this.retention.trimmed(trim, dropped.length);
    }
  }

  flush(): void {
    // Nothing to commit: appends are visible at once.
  }

  moveConversation(from: string, to: string, target: string): void {
    const { conversations, byMsgid } = this.index;
    const moving = conversations.get(from);
    if (moving === undefined || from === to) return;
    conversations.delete(from);
    let dest = conversations.get(to);
    if (dest === undefined) {
      dest = new Conversation();
      conversations.set(to, dest);
    }
    for (const item of moving.drain()) {
      item.entry.key = to;
      item.entry.target = target;
      byMsgid.set(item.entry.msgid, { key: to, cut: item.cut });
      dest.insert(item);
    }
    this.retention.set(from, 0);
    this.retention.set(to, dest.length);
    this.trim();
  }

  redact(key: string, msgid: string): boolean {
    const where = this.index.byMsgid.get(msgid);
    if (where?.key !== key) return false;
    if (this.index.conversations.get(key)?.remove(msgid) !== true) return false;
    this.index.byMsgid.delete(msgid);
    this.retention.added(key, -1);
    return true;
  }

  saveRoom(room: RoomState): void {
    this.rooms.set(foldCase(room.name), structuredClone(room));
  }

  deleteRoom(name: string): void {
    this.rooms.delete(foldCase(name));
  }

  /** In casefolded-name order, as the SQLite store loads them. */
  loadRooms(): RoomState[] {
    return [...this.rooms.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => structuredClone(r));
  }

  search(keys: readonly string[], q: SearchQuery, nick?: string): HistoryEntry[] {
    const all = new Set(keys);
    if (nick !== undefined) for (const k of this.index.privateKeysOf(nick)) all.add(k);
    const found: HistoryEntry[] = [];
    for (const key of all) {
      const conv = this.index.conversations.get(key);
      if (conv === undefined) continue;
      for (const e of conv.slice(0, Number.MAX_SAFE_INTEGER))
        if (matches(e, q, foldCase)) found.push(e);
    }
    found.sort((a, b) => a.time - b.time);
    return found.slice(Math.max(0, found.length - q.limit));
  }

  readMarker(nick: string, target: string): number | undefined {
    return this.markers.get(`${nick} ${target}`);
  }

  saveReadMarker(nick: string, target: string, time: number): void {
    this.markers.set(`${nick} ${target}`, time);
  }

  close(): void {
    this.markers.clear();
    this.index.conversations.clear();
    this.index.byMsgid.clear();
    this.retention.forget();
  }
}
