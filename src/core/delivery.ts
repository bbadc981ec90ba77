/**
 * Delivery: from bus events to this node's sessions. The node subscribes to
 * the topic of every room that has a local member and of every local nick;
 * each event is rendered once per variant and the same bytes are queued to
 * every recipient with that variant. Who gets what is decided from the event
 * alone (see bus/events.ts):
 *   - room messages and TAGMSG skip their sender unless it asked for
 *     echo-message; TAGMSG reaches only message-tags clients;
 *   - QUIT, NICK and AWAY skip the person themselves and reach each recipient
 *     once, in the first of the event's rooms the recipient is in; AWAY only
 *     away-notify clients;
 *   - on a nick topic: the holder, except the sender's echo copy without
 *     echo-message.
 */
import type { MessageBus } from "../bus/bus.ts";
import type { BusEvent, UserEvent } from "../bus/events.ts";
import { isUserEvent } from "../bus/events.ts";
import { foldCase } from "../protocol/casemap.ts";
import { VARIANT_COUNT } from "./api.ts";
import type { Room, Session } from "./state.ts";

export class Delivery {
  /** One rendering per variant per event; reused to avoid allocation. */
  private readonly cache: (Uint8Array | null | undefined)[] = new Array(VARIANT_COUNT);

  constructor(
    private readonly bus: MessageBus,
    private readonly node: string,
    /** A front threw while rendering for `s`: the core cuts off that one session. */
    private readonly broken: (s: Session, err: unknown) => void,
  ) {}

  /** Start delivering the room's events here (its first local member joined). */
  watchRoom(room: Room): void {
    if (room.unsubscribe !== undefined) return;
    room.unsubscribe = this.bus.subscribe(room.folded, (ev) => this.toRoom(room, ev));
  }

  unwatchRoom(room: Room): void {
    room.unsubscribe?.();
    room.unsubscribe = undefined;
  }

  /** Deliver what is addressed to `s`'s nick (it just took `folded`). */
  watchNick(s: Session, folded: string): void {
    this.unwatchNick(s);
    s.unwatchNick = this.bus.subscribe(folded, (ev) => this.toUser(s, ev));
  }

  unwatchNick(s: Session): void {
    s.unwatchNick?.();
    s.unwatchNick = undefined;
  }

  private toRoom(room: Room, ev: BusEvent): void {
    this.cache.fill(undefined);
    const self = ev.origin.node === this.node ? ev.origin.conn : -1;
    if (isUserEvent(ev)) {
      this.userToRoom(room, ev, self);
      return;
    }
    const members = room.members.keys();
    switch (ev.type) {
      case "message":
        for (const m of members) {
          if (m.id === self && !m.hasCap("echo-message")) continue;
          this.send(m, ev);
        }
        return;
      case "tagmsg":
        for (const m of members) {
          if (!m.hasCap("message-tags")) continue;
          if (m.id === self && !m.hasCap("echo-message")) continue;
          this.send(m, ev);
        }
        return;
      default:
        for (const m of members) this.send(m, ev);
    }
  }

  private userToRoom(room: Room, ev: UserEvent, self: number): void {
    const at = ev.rooms.indexOf(room.folded);
    const away = ev.type === "away";
    const account = ev.type === "account";
    for (const m of room.members.keys()) {
      if (m.id === self) continue;
      if (away && !m.hasCap("away-notify")) continue;
      if (account && m.front.kind === "irc" && !m.hasCap("account-notify")) continue;
      if (at > 0 && inEarlierRoom(m, ev.rooms, at)) continue;
      this.send(m, ev);
    }
  }

  private toUser(s: Session, ev: BusEvent): void {
    if (ev.type === "message" || ev.type === "tagmsg") {
      if (ev.type === "tagmsg" && !s.hasCap("message-tags")) return;
      // On the sender's own topic this is the echo copy (unless it wrote to itself).
      const echo = ev.origin.node === this.node && ev.origin.conn === s.id;
      if (echo && !s.hasCap("echo-message") && foldCase(ev.target) !== s.folded) return;
    }
    this.cache.fill(undefined);
    this.send(s, ev);
  }

  /** Queue `ev` to `m`, rendered at most once per variant since the cache was cleared. */
  private send(m: Session, ev: BusEvent): void {
    const cache = this.cache;
    const v = m.variant;
    let bytes = cache[v];
    if (bytes === undefined) {
      try {
        bytes = m.front.render(ev);
      } catch (err) {
        // Not cached: the next member of this variant renders for itself.
        this.broken(m, err);
        return;
      }
      cache[v] = bytes;
    }
    if (bytes === null) return;
    // Session.send, inlined: this runs once per recipient per event.
    if (m.captured === undefined) m.conn.send(bytes);
    else m.captured.bytes(bytes);
  }
}

/** Whether `m` is in one of the rooms listed before index `at` (it was shown the event there). */
function inEarlierRoom(m: Session, rooms: readonly string[], at: number): boolean {
  const joined = m.joined;
  for (let i = 0; i < at; i++) if (joined.has(rooms[i] as string)) return true;
  return false;
}
