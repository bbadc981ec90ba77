/**
 * Delivery: from bus events to this node's sessions. The node subscribes to
 * the topic of every room that has a local member and of every local nick;
 * each event is rendered once per variant and the same bytes are queued to
 * every recipient with that variant. Who gets what is decided from the event
 * alone (see bus/events.ts):
 *   - room messages and TAGMSG skip their sender unless it asked for
 *     echo-message; TAGMSG reaches only message-tags clients;
 *   - QUIT, NICK, AWAY and SETNAME skip the person themselves and reach each
 *     recipient once, in the first of the event's rooms the recipient is in;
 *     AWAY only away-notify clients, SETNAME only setname clients;
 *   - a RENAME reaches draft/channel-rename members as is; the others' fronts
 *     show it as their own PART and JOIN (Front.renamed);
 *   - a REDACT reaches the members (or the holder) with draft/message-redaction,
 *     the redactor included;
 *   - an INVITE on a room topic (invite-notify) reaches the members with that
 *     capability, not the inviter (who has RPL_INVITING);
 *   - on a nick topic: the holder, except the sender's echo copy without
 *     echo-message, and a SETNAME only with the setname capability.
 */
import type { MessageBus } from "../bus/bus.ts";
import type { BusEvent, MessageEvent, RenameEvent, TagmsgEvent, UserEvent } from "../bus/events.ts";
import { isUserEvent } from "../bus/events.ts";
import { foldCase } from "../protocol/casemap.ts";
import type { RoomFanout, RoomHub } from "../transport/conn.ts";
import { VARIANT_COUNT } from "./api.ts";
import { OP, type Room, type Session, VOICE } from "./state.ts";

export class Delivery {
  /** One rendering per variant per event; reused to avoid allocation. */
  private readonly cache: (Uint8Array | null | undefined)[] = new Array(VARIANT_COUNT);
  /**
   * The variants filled since the last event, so clearing touches only those
   * (one or two in practice) rather than all VARIANT_COUNT slots per event.
   */
  private readonly filled = new Uint8Array(VARIANT_COUNT);
  private filledCount = 0;
  /** The (hub, variant) pairs one room message is published to; reused. */
  private readonly hubs: RoomHub[] = [];
  private readonly hubVariants: number[] = [];

  constructor(
    private readonly bus: MessageBus,
    private readonly node: string,
    private readonly counters: { deliveriesOut: number },
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

  /**
   * Deliver what is addressed to `s`'s nick (it just took `folded`). The session itself is
   * the listener (`Session.busEvent` comes back to `toUser`): no closure per session.
   */
  watchNick(s: Session, folded: string): void {
    this.unwatchNick(s);
    s.nickTopic = folded;
    this.bus.listen(folded, s);
  }

  unwatchNick(s: Session): void {
    if (s.nickTopic === undefined) return;
    this.bus.unlisten(s.nickTopic, s);
    s.nickTopic = undefined;
  }

  /** Forget the previous event's renderings. */
  private clearCache(): void {
    const cache = this.cache;
    const filled = this.filled;
    for (let i = 0; i < this.filledCount; i++) cache[filled[i] as number] = undefined;
    this.filledCount = 0;
  }

  private toRoom(room: Room, ev: BusEvent): void {
    this.clearCache();
    const self = ev.origin.node === this.node ? ev.origin.conn : -1;
    if (isUserEvent(ev)) {
      this.userToRoom(room, ev, self);
      return;
    }
    const members = room.members.keys();
    switch (ev.type) {
      case "message":
        if (ev.statusmsg !== undefined) {
          this.toStatus(room, ev, self);
          return;
        }
        this.roomMessage(room, ev, self);
        return;
      case "tagmsg":
        if (ev.statusmsg !== undefined) {
          this.toStatus(room, ev, self);
          return;
        }
        for (const m of members) {
          if (!m.hasCap("message-tags")) continue;
          if (m.id === self && !m.hasCap("echo-message")) continue;
          this.send(m, ev);
        }
        return;
      case "rename":
        for (const m of members) {
          if (m.hasCap("draft/channel-rename") || m.front.renamed === undefined) this.send(m, ev);
          // A change of case only needs no PART and JOIN.
          else if (foldCase(ev.from) !== foldCase(ev.channel)) this.fallback(m, ev);
        }
        return;
      case "redact":
        // The redactor too: its client removes the line as everyone else's does.
        for (const m of members) if (m.hasCap("draft/message-redaction")) this.send(m, ev);
        return;
      case "invite":
        for (const m of members) {
          if (m.id !== self && m.hasCap("invite-notify")) this.send(m, ev);
        }
        return;
      default:
        for (const m of members) this.send(m, ev);
    }
  }

  /**
   * A plain room message, the hot path. A member whose transport fans room
   * messages out itself (`Conn.fanout`: WebSocket topics, which follow its
   * rooms and variant) is not sent to one by one: each such transport gets one
   * publish per variant, leaving out the members the core skips (the sender
   * without echo-message) or serves itself (output captured into a reply buffer).
   */
  private roomMessage(room: Room, ev: MessageEvent, self: number): void {
    const hubs = this.hubs;
    const variants = this.hubVariants;
    let n = 0;
    let skip: RoomFanout[] | undefined;
    for (const m of room.members.keys()) {
      const unwanted = m.id === self && !m.hasCap("echo-message");
      const fanout = m.conn.fanout;
      if (fanout === undefined) {
        if (!unwanted) this.send(m, ev);
        continue;
      }
      if (unwanted || m.captured !== undefined) {
        if (skip === undefined) skip = [fanout];
        else skip.push(fanout);
        if (!unwanted) this.send(m, ev);
        continue;
      }
      const hub = fanout.hub;
      const v = m.variant;
      let i = 0;
      while (i < n && (hubs[i] !== hub || variants[i] !== v)) i++;
      if (i === n) {
        if (this.render(m, ev) === undefined) continue;
        hubs[n] = hub;
        variants[n++] = v;
      }
      if (this.cache[v] !== null) this.counters.deliveriesOut++;
    }
    for (let i = 0; i < n; i++) {
      const v = variants[i] as number;
      const bytes = this.cache[v];
      if (bytes) (hubs[i] as RoomHub).publish(room, v, bytes, skip ?? NO_FANOUTS);
    }
    hubs.length = 0;
  }

  /** STATUSMSG: members with the status (`@`: operators; `+`: voiced or operators). */
  private toStatus(room: Room, ev: MessageEvent | TagmsgEvent, self: number): void {
    const need = ev.statusmsg === "@" ? OP : OP | VOICE;
    for (const [m, status] of room.members) {
      if (ev.type === "tagmsg" && !m.hasCap("message-tags")) continue;
      // The sender's echo comes back whatever its own status.
      if (m.id === self ? !m.hasCap("echo-message") : (status & need) === 0) continue;
      this.send(m, ev);
    }
  }

  private userToRoom(room: Room, ev: UserEvent, self: number): void {
    const at = ev.rooms.indexOf(room.folded);
    const needs = USER_EVENT_CAP[ev.type];
    for (const m of room.members.keys()) {
      if (m.id === self) continue;
      // The plain front words an account change as a sentence; IRC needs the cap.
      if (
        needs !== undefined &&
        !m.hasCap(needs) &&
        (ev.type !== "account" || m.front.kind === "irc")
      )
        continue;
      if (at > 0 && inEarlierRoom(m, ev.rooms, at)) continue;
      this.send(m, ev);
    }
  }

  /** An event on the nick topic `s` listens on. */
  toUser(s: Session, ev: BusEvent): void {
    if (ev.type === "setname" && !s.hasCap("setname")) return;
    if (ev.type === "redact" && !s.hasCap("draft/message-redaction")) return;
    if (ev.type === "message" || ev.type === "tagmsg") {
      if (ev.type === "tagmsg" && !s.hasCap("message-tags")) return;
      // On the sender's own topic this is the echo copy (unless it wrote to itself).
      const echo = ev.origin.node === this.node && ev.origin.conn === s.id;
      if (echo && !s.hasCap("echo-message") && foldCase(ev.target) !== s.folded) return;
    }
    this.clearCache();
    this.send(s, ev);
  }

  /** A rename shown as PART and JOIN by the member's own front (not shared bytes: it is theirs). */
  private fallback(m: Session, ev: RenameEvent): void {
    try {
      m.front.renamed?.(ev.from, ev.channel, ev.reason);
    } catch (err) {
      this.broken(m, err);
    }
  }

  /** `ev` for `m`'s variant, rendered at most once per variant since the cache was cleared; undefined: its front failed. */
  private render(m: Session, ev: BusEvent): Uint8Array | null | undefined {
    const cache = this.cache;
    const v = m.variant;
    let bytes = cache[v];
    if (bytes === undefined) {
      try {
        bytes = m.front.render(ev);
      } catch (err) {
        // Not cached: the next member of this variant renders for itself.
        this.broken(m, err);
        return undefined;
      }
      cache[v] = bytes;
      this.filled[this.filledCount++] = v;
    }
    return bytes;
  }

  /** Queue `ev` to `m`. */
  private send(m: Session, ev: BusEvent): void {
    const bytes = this.render(m, ev);
    if (bytes === null || bytes === undefined) return;
    this.counters.deliveriesOut++;
    // Session.send, inlined: this runs once per recipient per event.
    if (m.captured === undefined) m.conn.send(bytes);
    else m.captured.bytes(bytes);
  }
}

const NO_FANOUTS: readonly RoomFanout[] = [];

/** The capability a recipient needs to be shown a change of a person, where one is needed. */
const USER_EVENT_CAP: Readonly<Record<UserEvent["type"], string | undefined>> = {
  quit: undefined,
  nick: undefined,
  away: "away-notify",
  setname: "setname",
  account: "account-notify",
};

/** Whether `m` is in one of the rooms listed before index `at` (it was shown the event there). */
function inEarlierRoom(m: Session, rooms: readonly string[], at: number): boolean {
  const joined = m.joined;
  for (let i = 0; i < at; i++) if (joined.has(rooms[i] as string)) return true;
  return false;
}
