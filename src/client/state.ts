/**
 * The client's model of the world: who we are, which rooms we are in, who is
 * in them, and what we have already shown. Pure data plus small helpers; the
 * handlers mutate it, the UI reads it.
 */
import { foldCase } from "../protocol/casemap.ts";
import type { IrcMessage } from "../protocol/message.ts";

export interface RoomState {
  /** Name as the server spells it, e.g. "#lobby". */
  name: string;
  /** folded nick -> nick as spelled. */
  members: Map<string, string>;
  topic: string;
  /** When our own JOIN arrived: messages stamped earlier are history. */
  joinedAt: number;
  /** Set by the first 353 after a 366, so a NAMES reply replaces the list. */
  namesFresh: boolean;
  /** folded nick -> status prefix from the last NAMES reply ("@" for operators). */
  prefixes?: Map<string, string>;
}

/** A draft/multiline batch being received (multiline.ts). */
export interface OpenMultiline {
  /** The `BATCH +ref` line: its source, tags (msgid, time, an outer batch) and target. */
  open: IrcMessage;
  text: string;
  lines: number;
}

/** Remembers the last N msgids so replays and catch-up never show a line twice. */
export class SeenIds {
  private readonly order: string[] = [];
  private head = 0;
  private readonly set = new Set<string>();

  constructor(private readonly capacity = 5000) {}

  /** True when the id was new (and is now remembered). */
  add(id: string): boolean {
    if (this.set.has(id)) return false;
    this.set.add(id);
    if (this.order.length < this.capacity) {
      this.order.push(id);
    } else {
      const old = this.order[this.head] as string;
      this.set.delete(old);
      this.order[this.head] = id;
      this.head = (this.head + 1) % this.capacity;
    }
    return true;
  }

  has(id: string): boolean {
    return this.set.has(id);
  }
}

export class ClientState {
  nick: string;
  registered = false;
  /** Capabilities the server acknowledged. */
  readonly caps = new Set<string>();
  /** Values the server gave its capabilities in CAP LS 302 (name -> value). */
  readonly capValues = new Map<string, string>();
  readonly isupport = new Map<string, string>();
  /** folded room name -> room. */
  readonly rooms = new Map<string, RoomState>();
  /** The room (or query nick) typed lines go to. */
  current: string | undefined;
  /** A room the user asked to /join: becomes current when our JOIN arrives. */
  switchOnJoin: string | undefined;
  /** folded room -> msgid of the newest message seen there, for CHATHISTORY AFTER. */
  readonly lastMsgid = new Map<string, string>();
  /** folded room -> server time (ms) of that newest message. */
  readonly lastTime = new Map<string, number>();
  readonly seen = new SeenIds();
  /** folded nick -> the account the server says they are logged in to (members.ts). */
  readonly accounts = new Map<string, string>();
  /** folded rooms whose member list waits for our WHOX query to end (members.ts). */
  readonly namesAfterWho = new Set<string>();
  /** draft/read-marker: folded room or nick -> time (ms) of the last line read there. */
  readonly readMarkers = new Map<string, number>();
  /** Open draft/multiline batches being received: reference tag -> what has come. */
  readonly multiline = new Map<string, OpenMultiline>();
  /** Open batches: reference tag -> batch type. */
  readonly batches = new Map<string, string>();

  /** The secret that keeps our nick (for /secret), when we have one. */
  secret: string | undefined;

  constructor(nick: string) {
    this.nick = nick;
  }

  isMe(nick: string): boolean {
    return foldCase(nick) === foldCase(this.nick);
  }

  isChannel(target: string): boolean {
    const types = this.isupport.get("CHANTYPES") ?? "#&";
    return target.length > 0 && types.includes(target.charAt(0));
  }

  room(name: string): RoomState | undefined {
    return this.rooms.get(foldCase(name));
  }

  addRoom(name: string, now: number): RoomState {
    const key = foldCase(name);
    let r = this.rooms.get(key);
    if (r === undefined) {
      r = { name, members: new Map(), topic: "", joinedAt: now, namesFresh: true };
      this.rooms.set(key, r);
    } else {
      r.joinedAt = now;
      r.namesFresh = true;
    }
    return r;
  }

  removeRoom(name: string): void {
    this.rooms.delete(foldCase(name));
    if (this.current !== undefined && foldCase(this.current) === foldCase(name)) {
      const next = this.rooms.values().next();
      this.current = next.done ? undefined : next.value.name;
    }
  }

  /** Rooms (by name) that contain this nick. */
  roomsOf(nick: string): string[] {
    const key = foldCase(nick);
    const out: string[] = [];
    for (const r of this.rooms.values()) if (r.members.has(key)) out.push(r.name);
    return out;
  }

  /** Nicks in the current room, for tab completion. */
  currentMembers(): string[] {
    if (this.current === undefined) return [];
    const r = this.room(this.current);
    return r === undefined ? [] : [...r.members.values()];
  }

  /** Whether CHATHISTORY can be used (final or draft capability). */
  hasChathistory(): boolean {
    return this.caps.has("chathistory") || this.caps.has("draft/chathistory");
  }
}
