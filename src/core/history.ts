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
import type { HistoryEntry, HistoryRef, HistoryStore } from "../store/store.ts";
import { isPrivateKey, privateKey } from "../store/store.ts";
import type { HistoryAnswer, HistoryQuery, HistoryTargetView } from "./api.ts";
import { parseMsgid } from "./msgid.ts";
import type { Registry } from "./registry.ts";
import { isBanned } from "./rules.ts";
import type { HistoryFloor, Session } from "./state.ts";

/** The reference "the end of time", so LATEST <ref> can ask for the newest after ref. */
const END_OF_TIME: HistoryRef = { time: Number.MAX_SAFE_INTEGER };

/** The floor of a nick taken at `now`, with `marker` a msgid drawn at that moment. */
export function floorAt(now: number, marker: string): HistoryFloor {
  const id = parseMsgid(marker);
  return { time: now, boot: id?.boot ?? "", seq: id?.seq ?? Number.POSITIVE_INFINITY };
}

/** Whether a private-history entry came after the floor (no floor: nothing is visible). */
export function aboveFloor(
  f: HistoryFloor | undefined,
  entry: { time: number; msgid: string },
): boolean {
  if (f === undefined) return false;
  if (entry.time !== f.time) return entry.time > f.time;
  const id = parseMsgid(entry.msgid);
  return id !== undefined && id.boot === f.boot && id.seq > f.seq;
}

export class History {
  private readonly stopTap: () => void;

  constructor(
    readonly store: HistoryStore,
    bus: MessageBus,
    private readonly registry: Registry,
    private readonly validNick: (nick: string) => boolean,
  ) {
    this.stopTap = bus.tap((topic, ev) => this.record(topic, ev));
  }

  close(): void {
    this.stopTap();
  }

  private record(topic: string, ev: BusEvent): void {
    if (ev.type !== "message") return;
    // A room message crosses only its room's topic; a private one also the
    // sender's own (its echo), which is not stored twice.
    const room = topic.charCodeAt(0) === 35; /* # */
    if (!room && topic !== foldCase(ev.target)) return;
    const key = room ? topic : privateKey(foldCase(nickOf(ev.source)), topic);
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

  /** `s` took a nick it did not hold before (case changes do not count); `marker` is a fresh msgid. */
  nickClaimed(s: Session, now: number, marker: string): void {
    s.historyFloor = floorAt(now, marker);
  }

  private privateVisible(s: Session, entry: { time: number; msgid: string }): boolean {
    return aboveFloor(s.historyFloor, entry);
  }

  /**
   * The conversation key `s` may read for `target`, or undefined when the target
   * does not exist for them. A channel's history is open to its members and, for
   * a channel anyone could join (no +i, no key, not banned), to anyone; a private
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
      if (room.flags.has("i") || room.key !== undefined || isBanned(room, s.prefix, s.account))
        return undefined;
      return folded;
    }
    if (!this.validNick(target)) return undefined;
    return privateKey(s.folded, foldCase(target));
  }

  read(s: Session, target: string, q: HistoryQuery, limit: number): HistoryAnswer {
    const key = this.keyFor(s, target);
    if (key === undefined) {
      return { ok: false, reason: "invalid-target", message: "Messages could not be retrieved" };
    }
    let entries: HistoryEntry[];
    try {
      entries = this.query(key, q, limit);
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
