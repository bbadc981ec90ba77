/**
 * The core's in-memory state: a `Session` per connection on this node and a
 * `Room` per channel. Plain data with small helpers; the rules that change it
 * live in the action modules and rules.ts, and nothing here knows a socket
 * beyond the transport's `Conn`.
 */
import type { BusSubscriber } from "../bus/bus.ts";
import type { BusEvent } from "../bus/events.ts";
import { foldCase } from "../protocol/casemap.ts";
import { ownString } from "../protocol/text.ts";
import type { SlidingWindow } from "../security/rate-limit.ts";
import type { BanState, RoomState, TopicState } from "../store/store.ts";
import type { Conn, ConnHandler } from "../transport/conn.ts";
import type { CaptureSink, CoreApi, Front } from "./api.ts";
import { capBit, capNames } from "./caps.ts";
import type { FloodTokens } from "./flood.ts";

/** Member status bits. */
export const OP = 1;
export const VOICE = 2;

export type SessionMode = "undecided" | "irc" | "plain-tentative" | "plain";

/** What a session hands its input to (the core), so this module needs no core import. */
export interface SessionHost {
  input(s: Session, text: string, invalidUtf8: boolean): void;
  overlong(s: Session): void;
  closed(s: Session, reason: string): void;
  /** An event on the session's nick topic (it is its own bus listener). */
  nickEvent(s: Session, event: BusEvent): void;
}

/**
 * Where private history starts for a session: when it took its current nick (privacy).
 * A Session is one itself (three fields, not an object and a msgid string per session).
 */
export interface HistoryFloor {
  readonly floorTime: number;
  /** The node run (msgid boot) and sequence of the floor's moment, ordering within its millisecond. */
  readonly floorBoot: string;
  readonly floorSeq: number;
}

/** A held line: its text, or the text of a line that was not UTF-8 (the front refuses it). */
export type BackloggedLine = string | { invalidUtf8: string };

/** Shared, never mutated: the types only let callers read them. */
const NO_STRINGS: ReadonlySet<string> = new Set<string>();
const NO_ROOMS: ReadonlyMap<string, Room> = new Map<string, Room>();

export class Session implements ConnHandler, BusSubscriber, HistoryFloor, FloodTokens {
  // The fields the fan-out loop reads for every recipient come first, so they
  // sit in the object's first slots (read per member per event).
  readonly id: number;
  readonly conn: Conn;
  /** The front's serialize-once key, cached here. */
  variant = 0;
  /** While a front runs a command, what the core sends goes here (its reply buffer). */
  captured: CaptureSink | undefined;
  /** Set right after construction: the front is built from this session's handle. */
  front!: Front;
  mode: SessionMode = "undecided";
  api!: CoreApi;
  nick: string | undefined;
  /** Casefolded nick, the registry key. */
  folded: string | undefined;
  user = "";
  realname = "";
  readonly host: string;
  /** `nick!user@host`, recomputed on nick change. */
  prefix = "";
  registered = false;
  /**
   * Capabilities, user modes and rooms start as shared empty values and get
   * their own only when first changed: most idle connections never change
   * some of them, and each Set or Map is a few hundred bytes per connection.
   */
  private capBits = 0;
  private rooms: Map<string, Room> | undefined;
  readonly connectedAt: number;
  lastActive: number;
  /** Time of the last message sent by this user (WHOIS idle). */
  lastSpoke: number;
  /** When we sent a PING that is still unanswered, else 0. */
  pingSentAt = 0;
  gone = false;
  /** The flood bucket (flood.ts); used while the limits have floodLimit on. */
  floodTokens = 0;
  floodLast = 0;
  /** No floor yet (infinitely late): no private history is visible. */
  floorTime = Number.POSITIVE_INFINITY;
  floorBoot = "";
  floorSeq = Number.POSITIVE_INFINITY;
  /**
   * What few sessions ever set (away, operator, account, user modes, invites, flood backlog,
   * rate windows, MONITOR): one object made on the first such change, read through the
   * accessors below. Each field costs 8 bytes in every session; idle ones set none of these.
   */
  private rare: SessionRare | undefined;
  /** The bus topic (folded nick) this session listens on, while it holds one (delivery.ts). */
  nickTopic: string | undefined;
  private readonly owner: SessionHost;

  constructor(id: number, conn: Conn, owner: SessionHost, now: number) {
    this.id = id;
    this.conn = conn;
    this.owner = owner;
    this.connectedAt = now;
    this.lastActive = now;
    this.lastSpoke = now;
    this.host = displayHost(conn.remoteAddress);
  }

  hasCap(cap: string): boolean {
    return (this.capBits & capBit(cap)) !== 0;
  }

  setCap(cap: string, on: boolean): void {
    const bit = capBit(cap);
    this.capBits = on ? this.capBits | bit : this.capBits & ~bit;
  }

  capList(): string[] {
    return capNames(this.capBits);
  }

  private extras(): SessionRare {
    if (this.rare === undefined) this.rare = new SessionRare();
    return this.rare;
  }

  get away(): string | undefined {
    return this.rare?.away;
  }
  set away(text: string | undefined) {
    if (text !== undefined || this.rare !== undefined) this.extras().away = text;
  }
  get oper(): boolean {
    return this.rare?.oper ?? false;
  }
  set oper(on: boolean) {
    if (on || this.rare !== undefined) this.extras().oper = on;
  }
  /** The owned nick this session proved (the account name), or null. */
  get account(): string | null {
    return this.rare?.account ?? null;
  }
  set account(name: string | null) {
    if (name !== null || this.rare !== undefined) this.extras().account = name;
  }
  /** Rooms holding a pending invite for this user (see rooms actions). */
  get invitedTo(): Set<Room> | undefined {
    return this.rare?.invitedTo;
  }
  set invitedTo(rooms: Set<Room> | undefined) {
    if (rooms !== undefined || this.rare !== undefined) this.extras().invitedTo = rooms;
  }
  /** Lines waiting for flood tokens; allocated only while throttled. */
  get backlog(): BackloggedLine[] | undefined {
    return this.rare?.backlog;
  }
  set backlog(lines: BackloggedLine[] | undefined) {
    if (lines !== undefined || this.rare !== undefined) this.extras().backlog = lines;
  }
  get nickWindow(): SlidingWindow | undefined {
    return this.rare?.nickWindow;
  }
  set nickWindow(w: SlidingWindow | undefined) {
    if (w !== undefined || this.rare !== undefined) this.extras().nickWindow = w;
  }
  get joinWindow(): SlidingWindow | undefined {
    return this.rare?.joinWindow;
  }
  set joinWindow(w: SlidingWindow | undefined) {
    if (w !== undefined || this.rare !== undefined) this.extras().joinWindow = w;
  }
  get operFailures(): number {
    return this.rare?.operFailures ?? 0;
  }
  set operFailures(n: number) {
    if (n !== 0 || this.rare !== undefined) this.extras().operFailures = n;
  }
  /** MONITOR: casefolded nicks this user watches (see monitor.ts); allocated on first use. */
  get monitoring(): Set<string> | undefined {
    return this.rare?.monitoring;
  }
  set monitoring(nicks: Set<string> | undefined) {
    if (nicks !== undefined || this.rare !== undefined) this.extras().monitoring = nicks;
  }

  /** User modes (i, o, w). */
  get umodes(): ReadonlySet<string> {
    return this.rare?.umodes ?? NO_STRINGS;
  }

  addUmode(mode: string): void {
    const rare = this.extras();
    if (rare.umodes === undefined) rare.umodes = new Set();
    rare.umodes.add(mode);
  }

  deleteUmode(mode: string): void {
    this.rare?.umodes?.delete(mode);
  }

  /** Rooms joined, by folded name, in join order. */
  get joined(): ReadonlyMap<string, Room> {
    return this.rooms ?? NO_ROOMS;
  }

  addRoom(room: Room): void {
    if (this.rooms === undefined) this.rooms = new Map();
    this.rooms.set(room.folded, room);
  }

  deleteRoom(folded: string): void {
    this.rooms?.delete(folded);
  }

  clearRooms(): void {
    this.rooms = undefined;
  }

  setFloor(f: HistoryFloor): void {
    this.floorTime = f.floorTime;
    this.floorBoot = f.floorBoot;
    this.floorSeq = f.floorSeq;
  }

  setIdentity(nick: string, folded: string): void {
    this.nick = nick;
    this.folded = folded;
    // Flat: a template's result is a rope holding its five pieces for the session's life.
    this.prefix = ownString(`${nick}!${this.user || "~u"}@${this.host}`);
  }

  /** Recompute the serialize-once key after caps, rooms or the front changed. */
  updateVariant(): void {
    const v = this.front.variant();
    if (v === this.variant) return;
    this.variant = v;
    // A transport that publishes room messages per variant moves us to the new form's topics.
    const fanout = this.conn.fanout;
    if (fanout !== undefined) for (const room of this.joined.values()) fanout.enter(room, v);
  }

  // ---- ConnHandler: the transport's calls, handed to the core ----

  line(raw: string, invalidUtf8 = false): void {
    if (!this.gone) this.owner.input(this, raw, invalidUtf8);
  }

  overlong(_bytes: number): void {
    if (!this.gone) this.owner.overlong(this);
  }

  closed(reason: string): void {
    this.owner.closed(this, reason);
  }

  // ---- BusSubscriber: the nick's topic (a method, not a closure per session) ----

  busEvent(event: BusEvent): void {
    this.owner.nickEvent(this, event);
  }
}

/** A session's rarely set state (see `Session.rare`). */
class SessionRare {
  away: string | undefined;
  oper = false;
  account: string | null = null;
  umodes: Set<string> | undefined;
  invitedTo: Set<Room> | undefined;
  backlog: BackloggedLine[] | undefined;
  nickWindow: SlidingWindow | undefined;
  joinWindow: SlidingWindow | undefined;
  operFailures = 0;
  monitoring: Set<string> | undefined;
}

/** How a peer address shows in prefixes: IRC-safe, IPv4 for a mapped IPv4 peer. */
function displayHost(remote: string): string {
  let addr = remote || "unknown";
  // An IPv4 peer on a dual-stack listener shows as ::ffff:1.2.3.4; show 1.2.3.4.
  if (addr.startsWith("::ffff:") && addr.includes(".")) addr = addr.slice(7);
  // A host starting with ':' (IPv6 "::1") would break IRC parameter parsing.
  return addr.startsWith(":") ? `0${addr}` : addr;
}

/** A room: members with their status, topic, modes, bans and invites. */
export class Room {
  /** Changes only by RENAME (actions/rename.ts), which re-keys the room everywhere. */
  folded: string;
  /** Insertion-ordered: NAMES lists members in join order. */
  readonly members = new Map<Session, number>();
  topic: TopicState | undefined;
  /** Flag modes without parameters: i m n t, and s p C (secret, private, no CTCP). */
  readonly flags = new Set<string>(["n", "t"]);
  key: string | undefined;
  limit: number | undefined;
  bans: BanState[] = [];
  /** +e ban exceptions and +I invite exceptions. */
  exceptions: BanState[] = [];
  invexes: BanState[] = [];
  /** Casefolded nicks invited since the last time they joined. */
  readonly invites = new Set<string>();
  /** This node's bus subscription for the room, while it has local members. */
  unsubscribe: (() => void) | undefined;

  constructor(
    public name: string,
    readonly created: number,
  ) {
    this.folded = foldCase(name);
  }

  static fromState(state: RoomState): Room {
    const room = new Room(state.name, state.created);
    room.flags.clear();
    for (const f of state.flags) room.flags.add(f);
    room.topic = state.topic;
    room.key = state.key;
    room.limit = state.limit;
    room.bans = [...state.bans];
    room.exceptions = [...(state.exceptions ?? [])];
    room.invexes = [...(state.invexes ?? [])];
    return room;
  }

  toState(): RoomState {
    const state: RoomState = {
      name: this.name,
      created: this.created,
      flags: [...this.flags].sort().join(""),
      bans: [...this.bans],
    };
    if (this.topic !== undefined) state.topic = this.topic;
    if (this.key !== undefined) state.key = this.key;
    if (this.limit !== undefined) state.limit = this.limit;
    if (this.exceptions.length > 0) state.exceptions = [...this.exceptions];
    if (this.invexes.length > 0) state.invexes = [...this.invexes];
    return state;
  }

  /** Worth keeping with nobody in it: someone set a topic, a mode or a ban. */
  get persistent(): boolean {
    const defaultFlags = this.flags.size === 2 && this.flags.has("n") && this.flags.has("t");
    return (
      this.topic !== undefined ||
      this.key !== undefined ||
      this.limit !== undefined ||
      this.bans.length > 0 ||
      this.exceptions.length > 0 ||
      this.invexes.length > 0 ||
      !defaultFlags
    );
  }

  /** How NAMES and LIST show the room: secret (+s) `@`, private (+p) `*`, else public `=`. */
  get visibility(): "secret" | "private" | "public" {
    return this.flags.has("s") ? "secret" : this.flags.has("p") ? "private" : "public";
  }

  isOp(s: Session): boolean {
    return ((this.members.get(s) ?? 0) & OP) !== 0;
  }

  /** Mode string as in RPL_CHANNELMODEIS, with the key shown only to members. */
  modeString(showKey: boolean): string[] {
    let modes = `+${[...this.flags].sort().join("")}`;
    const params: string[] = [];
    if (this.key !== undefined) {
      modes += "k";
      params.push(showKey ? this.key : "*");
    }
    if (this.limit !== undefined) {
      modes += "l";
      params.push(String(this.limit));
    }
    return [modes, ...params];
  }
}
