/**
 * History: the store writer, fed from the bus, and the reads the core answers
 * (replay on join, CHATHISTORY) under one visibility rule.
 *
 * Writing: every PRIVMSG/NOTICE that crosses the bus is appended once, from its
 * home topic (the room, or the recipient's nick; the sender's echo copy is
 * skipped), under its conversation key.
 *
 * Private history belongs to people, but without accounts the server only
 * knows nicks: whoever takes "alice" after alice leaves would otherwise read
 * alice's private conversations. So a session may read private history only
 * from the moment it took its current nick. "The moment" needs more than a
 * millisecond clock (a message, a QUIT and the newcomer's NICK can share one),
 * so the floor also keeps a msgid drawn at claim time (msgid.ts orders them).
 */
import type { MessageBus } from "../bus/bus.ts";
import type { BusEvent } from "../bus/events.ts";
import { foldCase } from "../protocol/casemap.ts";
import { nickOf } from "../protocol/text.ts";
import type { SearchQuery } from "../store/search.ts";
import type { HistoryEntry, HistoryRef, HistoryStore } from "../store/store.ts";
import { isPrivateKey, privateKey } from "../store/store.ts";
import type { HistoryAnswer, HistoryQuery, HistoryTargetView, SearchRequest } from "./api.ts";
import { queryMerged } from "./merged-history.ts";
import { parseMsgid } from "./msgid.ts";
import { eventsKey, playbackEntry, queryWithEvents } from "./playback.ts";
import type { Registry } from "./registry.ts";
import { isBanned } from "./rules.ts";
import type { HistoryFloor, Session } from "./state.ts";

/** Private chats read together for CHATHISTORY `*` at most (the most recently active). */
const MAX_DIRECT_CHATS = 200;

/** The reference "the end of time", so LATEST <ref> can ask for the newest after ref. */
const END_OF_TIME: HistoryRef = { time: Number.MAX_SAFE_INTEGER };

/** The floor of a nick taken at `now`, with `marker` a msgid drawn at that moment. */
export function floorAt(now: number, marker: string): HistoryFloor {
  const id = parseMsgid(marker);
  return floorOf(now, id ?? { boot: "", seq: Number.POSITIVE_INFINITY });
}

function floorOf(now: number, mark: { boot: string; seq: number }): HistoryFloor {
  return { floorTime: now, floorBoot: mark.boot, floorSeq: mark.seq };
}

/** Whether a private-history entry came after the floor (no floor: nothing is visible). */
export function aboveFloor(
  f: HistoryFloor | undefined,
  entry: { time: number; msgid: string },
): boolean {
  if (f === undefined) return false;
  if (entry.time !== f.floorTime) return entry.time > f.floorTime;
  const id = parseMsgid(entry.msgid);
  return id !== undefined && id.boot === f.floorBoot && id.seq > f.floorSeq;
}

export class History {
  private readonly stopTap: () => void;

  constructor(
    readonly store: HistoryStore,
    bus: MessageBus,
    private readonly registry: Registry,
    private readonly validNick: (nick: string) => boolean,
    /** Messages handed to the store, for the metrics (and to time only commits with work). */
    private readonly counters: { historyAppends: number } = { historyAppends: 0 },
  ) {
    this.stopTap = bus.tap((topic, ev) => this.record(topic, ev));
  }

  close(): void {
    this.stopTap();
  }

  private record(topic: string, ev: BusEvent): void {
    const room = topic.charCodeAt(0) === 35; /* # */
    if (ev.type === "redact") {
      // Forgotten where it was kept: the room, or (from its home topic) the private chat.
      if (room) this.store.redact(topic, ev.redacted);
      else if (topic === foldCase(ev.target)) {
        this.store.redact(privateKey(foldCase(nickOf(ev.source)), topic), ev.redacted);
      }
      return;
    }
    if (ev.type === "rename") {
      // The room's history, messages and events, follows it to its new name,
      // so whoever creates a room of the old name later does not read it.
      const from = foldCase(ev.from);
      this.store.moveConversation(from, topic, ev.channel);
      this.store.moveConversation(eventsKey(from), eventsKey(topic), ev.channel);
      return;
    }
    if (ev.type !== "message") {
      // JOIN, PART, ... in a room: kept for draft/event-playback (playback.ts).
      const entry = room ? playbackEntry(topic, ev) : undefined;
      if (entry !== undefined) this.store.append(entry);
      return;
    }
    // A STATUSMSG is for some members only: replaying it to everyone would leak it.
    if (ev.statusmsg !== undefined) return;
    // A room message crosses only its room's topic; a private one also the
    // sender's own (its echo), which is not stored twice.
    if (!room && topic !== foldCase(ev.target)) return;
    const key = room ? topic : privateKey(foldCase(nickOf(ev.source)), topic);
    this.counters.historyAppends++;
    this.store.append({
      msgid: ev.msgid,
      time: ev.time,
      key,
      target: ev.target,
      source: ev.source,
      command: ev.command,
      text: ev.text,
    });
  }

  latest(key: string, limit: number): HistoryEntry[] {
    return this.store.latest(key, limit);
  }

  /** The stored message `msgid` of conversation `key`, if it is still kept. */
  message(key: string, msgid: string): HistoryEntry | undefined {
    // AROUND with a limit of 1 answers the referenced message itself.
    const [hit] = this.store.around(key, { msgid }, 1);
    return hit?.msgid === msgid ? hit : undefined;
  }

  /**
   * Whether `s` wrote `entry`: its nick, and sent since `s` took that nick
   * (whoever takes a nick later did not write what was said under it before).
   */
  wrote(s: Session, entry: HistoryEntry): boolean {
    return foldCase(nickOf(entry.source)) === s.folded && aboveFloor(s, entry);
  }

  /** `s` took a nick it did not hold before (case changes do not count); `mark` is a fresh msgid's parts. */
  nickClaimed(s: Session, now: number, mark: { boot: string; seq: number }): void {
    s.setFloor(floorOf(now, mark));
  }

  private privateVisible(s: Session, entry: { time: number; msgid: string }): boolean {
    return aboveFloor(s, entry);
  }

  /**
   * The conversation key `s` may read for `target`, or undefined when the target
   * does not exist for them. A channel's history is open to its members and, for
   * a channel anyone could join and see (no +s, no +i, no key, not banned), to anyone; a private
   * conversation only to its two participants, which holds by construction: the
   * key is made from the asker's own nick.
   */
  private keyFor(s: Session, target: string): string | undefined {
    if (s.folded === undefined) return undefined;
    if (target.startsWith("#")) {
      const folded = foldCase(target);
      if (s.joined.has(folded)) return folded;
      const room = this.registry.room(target);
      if (room === undefined) return undefined;
      // A secret room does not exist for a non-member (RFC 2811 4.2.6), nor its past.
      if (room.flags.has("s")) return undefined;
      if (room.flags.has("i") || room.key !== undefined || isBanned(room, s.prefix, s.account))
        return undefined;
      return folded;
    }
    if (!this.validNick(target)) return undefined;
    return privateKey(s.folded, foldCase(target));
  }

  read(s: Session, target: string, q: HistoryQuery, limit: number): HistoryAnswer {
    if (target === "*") return this.readDirect(s, q, limit);
    const key = this.keyFor(s, target);
    if (key === undefined) {
      return { ok: false, reason: "invalid-target", message: "Messages could not be retrieved" };
    }
    let entries: HistoryEntry[];
    try {
      // A room's events are a place to count from for everyone (message-ids), and
      // are answered too with draft/event-playback.
      entries = isPrivateKey(key)
        ? this.query(key, q, limit)
        : queryWithEvents(this.store, key, q, limit, s.hasCap("draft/event-playback"));
    } catch (err) {
      return {
        ok: false,
        reason: "store-error",
        message: `Messages could not be retrieved: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    if (isPrivateKey(key)) entries = entries.filter((e) => this.privateVisible(s, e));
    // The target named canonically: the room's or the user's own spelling when known.
    const shown = target.startsWith("#")
      ? (this.registry.room(target)?.name ?? target)
      : (this.registry.holder(target)?.nick ?? target);
    return { ok: true, target: shown, entries };
  }

  /**
   * CHATHISTORY with the target `*`: every private chat of `s` as one
   * conversation, from when `s` took its nick (the same floor as for one chat).
   */
  private readDirect(s: Session, q: HistoryQuery, limit: number): HistoryAnswer {
    if (s.folded === undefined) {
      return { ok: false, reason: "invalid-target", message: "Messages could not be retrieved" };
    }
    const chats = this.store.targets([], Number.MAX_SAFE_INTEGER, 0, MAX_DIRECT_CHATS, s.folded);
    const keys = chats.filter((c) => this.privateVisible(s, c)).map((c) => c.key);
    let entries: HistoryEntry[];
    try {
      entries = queryMerged(this.store, keys, keys, q, limit);
    } catch (err) {
      return {
        ok: false,
        reason: "store-error",
        message: `Messages could not be retrieved: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    return { ok: true, target: "*", entries: entries.filter((e) => this.privateVisible(s, e)) };
  }

  private query(key: string, q: HistoryQuery, limit: number): HistoryEntry[] {
    const store = this.store;
    switch (q.kind) {
      case "latest":
        return q.after === undefined
          ? store.latest(key, limit)
          : store.between(key, END_OF_TIME, q.after, limit);
      case "before":
        return store.before(key, q.ref, limit);
      case "after":
        return store.after(key, q.ref, limit);
      case "around":
        return store.around(key, q.ref, limit);
      case "between":
        return store.between(key, q.from, q.to, limit);
    }
  }

  /**
   * SEARCH: matches in `req.target`, or in every room `s` is in and its own
   * private conversations; private ones only above the nick's floor.
   */
  search(s: Session, req: SearchRequest): HistoryAnswer {
    let keys: string[];
    let nick: string | undefined;
    if (req.target !== undefined) {
      const key = this.keyFor(s, req.target);
      if (key === undefined)
        return { ok: false, reason: "invalid-target", message: "Messages could not be searched" };
      keys = [key];
    } else {
      keys = [...s.joined.keys()];
      nick = s.folded;
    }
    const q: SearchQuery = { words: req.words, limit: req.limit };
    if (req.from !== undefined) q.from = foldCase(req.from);
    if (req.after !== undefined) q.after = req.after;
    if (req.before !== undefined) q.before = req.before;
    const entries = this.store
      .search(keys, q, nick)
      .filter((e) => !isPrivateKey(e.key) || this.privateVisible(s, e));
    return { ok: true, target: req.target ?? "*", entries };
  }

  /** CHATHISTORY TARGETS: the conversations `s` may read with activity between two times. */
  targets(s: Session, from: number, to: number, limit: number): HistoryTargetView[] {
    const self = s.folded ?? "";
    const rows = this.store.targets([...s.joined.keys()], from, to, limit, self);
    const out: HistoryTargetView[] = [];
    for (const row of rows) {
      if (isPrivateKey(row.key)) {
        if (!this.privateVisible(s, row)) continue;
        // The other side, as last seen in the latest message.
        const sourceNick = nickOf(row.source);
        out.push({ name: foldCase(sourceNick) === self ? row.target : sourceNick, time: row.time });
      } else {
        out.push({ name: this.registry.room(row.key)?.name ?? row.target, time: row.time });
      }
    }
    return out;
  }
}
