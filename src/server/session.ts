/**
 * One connection's state: registration, capabilities, identity, away, modes,
 * flood bucket, and which front (IRC or plain) speaks to it. The session is the
 * transport's ConnHandler and the plain front's PlainCore; the actions themselves
 * live in ChatServer, which owns the registry.
 */
import { sanitizeLine } from "../protocol/text.ts";
import { notePasswordFailure } from "../security/lockout.ts";
import type { Conn, ConnHandler } from "../transport/conn.ts";
import type { Channel } from "./channel.ts";
import { ChatError } from "./errors.ts";
import { TokenBucket } from "./flood.ts";
import {
  type Front,
  PLAIN_LABELLED_VARIANT,
  PLAIN_VARIANT,
  type PlainCore,
  V_MESSAGE_TAGS,
  V_SERVER_TIME,
  type WhoEntry,
  type WhoisInfo,
} from "./front.ts";
import type { ChatServer } from "./server.ts";

/**
 * Capabilities as bits of one number per session instead of a Set each. Names
 * get a bit the first time any client enables them; only names the server
 * offers (caps.ts, a fixed list) are ever enabled, so the table stays small.
 */
const CAP_BITS = new Map<string, number>();

function capBit(cap: string): number {
  let bit = CAP_BITS.get(cap);
  if (bit === undefined) {
    if (CAP_BITS.size >= 31) throw new Error(`too many distinct capabilities to track: ${cap}`);
    bit = 1 << CAP_BITS.size;
    CAP_BITS.set(cap, bit);
  }
  return bit;
}

/** Shared, never mutated: the type only lets callers read them. */
const NO_STRINGS: ReadonlySet<string> = new Set<string>();
const NO_ROOMS: ReadonlyMap<string, Channel> = new Map<string, Channel>();

export type SessionMode = "undecided" | "irc" | "plain-tentative" | "plain";

/** Commands that mark a connection as an IRC client when they come first. */
const REGISTRATION = new Set(["CAP", "NICK", "USER", "PASS"]);

/** Optional tags and source, a command, then at least one parameter. */
const WITH_PARAMETER = /^\s*(?:@\S*\s+)?(?::\S*\s+)?\S+\s+\S/;

/**
 * "nick carol" as a person types it: IRC software always sends the command in
 * capitals, so a lower- or mixed-case NICK/USER is someone answering the prompt.
 */
function typedNick(line: string): boolean {
  const m = /^\s*(nick|user)\s+\S+\s*$/i.exec(line);
  return m !== null && m[1] !== "NICK" && m[1] !== "USER";
}

function firstWord(line: string): string {
  let s = line.trimStart();
  if (s.startsWith("@")) s = s.slice(s.indexOf(" ") + 1 || s.length).trimStart();
  if (s.startsWith(":")) s = s.slice(s.indexOf(" ") + 1 || s.length).trimStart();
  const sp = s.indexOf(" ");
  return (sp === -1 ? s : s.slice(0, sp)).toUpperCase();
}

export class Session implements ConnHandler, PlainCore {
  mode: SessionMode = "undecided";
  front: Front;
  nick: string | undefined;
  /** Casefolded nick, the registry key. */
  folded: string | undefined;
  user = "";
  realname = "";
  readonly host: string;
  /** `nick!user@host`, recomputed on nick change. */
  prefix = "";
  registered = false;
  /** CAP negotiation in progress: registration waits for CAP END. */
  capNegotiating = false;
  capVersion = 0;
  /**
   * Capabilities, user modes and rooms start as shared empty instances and get
   * their own only when first changed: most idle connections never change some
   * of them, and each Set or Map is a few hundred bytes per connection.
   */
  private capBits = 0;
  password: string | undefined;
  away: string | undefined;
  oper = false;
  private umodeSet: Set<string> | undefined;
  private rooms: Map<string, Channel> | undefined;
  /** Rooms holding a pending invite for this user (see ChatServer.moveInvites). */
  invitedTo: Set<Channel> | undefined;
  readonly connectedAt: number;
  lastActive: number;
  /** Time of the last message sent by this user (WHOIS idle). */
  lastSpoke: number;
  /** When we sent a PING that is still unanswered, else 0. */
  pingSentAt = 0;
  /** Fan-out dedup stamp for user-wide events (QUIT, NICK). */
  stamp = 0;
  gone = false;
  /** Variant of `front`, cached here because the fan-out loop reads it per member. */
  variant = 0;
  private readonly bucket: TokenBucket | undefined;
  /** Lines waiting for flood tokens; allocated only while throttled. */
  backlog: string[] | undefined;

  constructor(
    readonly id: number,
    readonly conn: Conn,
    readonly server: ChatServer,
    ircFront: Front,
  ) {
    const now = server.now();
    this.connectedAt = now;
    this.lastActive = now;
    this.lastSpoke = now;
    let addr = conn.remoteAddress || "unknown";
    // An IPv4 peer on a dual-stack listener shows as ::ffff:1.2.3.4; show 1.2.3.4.
    if (addr.startsWith("::ffff:") && addr.includes(".")) addr = addr.slice(7);
    // A host starting with ':' (IPv6 "::1") would break IRC parameter parsing.
    this.host = addr.startsWith(":") ? `0${addr}` : addr;
    this.front = ircFront;
    const l = server.limits;
    if (l.floodLimit) this.bucket = new TokenBucket(l.floodBurst, l.floodRate, now);
  }

  /** Whether this client enabled `cap`; read per recipient on the fan-out path. */
  hasCap(cap: string): boolean {
    const bit = CAP_BITS.get(cap);
    return bit !== undefined && (this.capBits & bit) !== 0;
  }

  addCap(cap: string): void {
    this.capBits |= capBit(cap);
  }

  deleteCap(cap: string): void {
    const bit = CAP_BITS.get(cap);
    if (bit !== undefined) this.capBits &= ~bit;
  }

  /** Enabled capabilities, for CAP LIST. */
  capList(): string[] {
    const out: string[] = [];
    for (const [name, bit] of CAP_BITS) if ((this.capBits & bit) !== 0) out.push(name);
    return out;
  }

  /** User modes (i, o, w). */
  get umodes(): ReadonlySet<string> {
    return this.umodeSet ?? NO_STRINGS;
  }

  addUmode(mode: string): void {
    if (this.umodeSet === undefined) this.umodeSet = new Set();
    this.umodeSet.add(mode);
  }

  deleteUmode(mode: string): void {
    this.umodeSet?.delete(mode);
  }

  /** Rooms joined, by folded name. */
  get joined(): ReadonlyMap<string, Channel> {
    return this.rooms ?? NO_ROOMS;
  }

  addRoom(folded: string, ch: Channel): void {
    if (this.rooms === undefined) this.rooms = new Map();
    this.rooms.set(folded, ch);
  }

  deleteRoom(folded: string): void {
    this.rooms?.delete(folded);
  }

  clearRooms(): void {
    this.rooms = undefined;
  }

  get channels(): string[] {
    return [...this.joined.values()].map((c) => c.name);
  }

  /** Recompute the serialize-once variant after a CAP change or a front switch. */
  updateVariant(): void {
    if (this.front.kind === "plain") {
      this.variant = this.joined.size > 1 ? PLAIN_LABELLED_VARIANT : PLAIN_VARIANT;
      return;
    }
    let v = 0;
    if (this.hasCap("server-time")) v |= V_SERVER_TIME;
    if (this.hasCap("message-tags")) v |= V_MESSAGE_TAGS;
    this.variant = v;
  }

  setIdentity(nick: string, folded: string): void {
    this.nick = nick;
    this.folded = folded;
    this.prefix = `${nick}!${this.user || "~u"}@${this.host}`;
  }

  // ---- ConnHandler ----

  line(raw: string): void {
    if (this.gone) return;
    const now = this.server.now();
    this.lastActive = now;
    this.pingSentAt = 0;
    const text = sanitizeLine(raw);
    if (this.mode === "undecided" || this.mode === "plain-tentative") {
      if (text.trim() === "") return;
      this.decide(text);
    }
    if (this.bucket !== undefined) {
      if (this.backlog !== undefined || !this.bucket.take(now)) {
        if (this.backlog === undefined) this.backlog = [];
        this.backlog.push(text);
        if (this.backlog.length > this.server.limits.floodBacklog) {
          this.server.disconnect(this, "Excess Flood");
          return;
        }
        this.server.throttled.add(this);
        return;
      }
    }
    this.server.runLine(this, text);
  }

  /** Feed held-back lines as tokens refill; returns true while some remain. */
  drainBacklog(now: number): boolean {
    while (this.backlog !== undefined && this.backlog.length > 0 && !this.gone) {
      if (this.bucket !== undefined && !this.bucket.take(now)) return true;
      const text = this.backlog.shift() as string;
      this.server.runLine(this, text);
    }
    this.backlog = undefined;
    return false;
  }

  overlong(_bytes: number): void {
    if (this.gone) return;
    this.lastActive = this.server.now();
    this.server.inputTooLong(this);
  }

  closed(reason: string): void {
    this.server.disconnect(this, reason);
  }

  private decide(text: string): void {
    // IRC clients always give these commands a parameter; a bare "user" or
    // "nick" typed by a human is the nickname they want.
    // A lower-case "nick carol" counts as a person only once the greeting asked for a
    // nickname: before that it is as likely a hand-written bot speaking raw IRC.
    const irc =
      REGISTRATION.has(firstWord(text)) &&
      WITH_PARAMETER.test(text) &&
      !(this.mode === "plain-tentative" && typedNick(text));
    if (irc) {
      if (this.mode === "plain-tentative") this.server.switchToIrc(this);
      this.mode = "irc";
    } else if (this.mode === "undecided") {
      this.server.switchToPlain(this, false);
    } else {
      this.mode = "plain";
    }
  }

  // ---- PlainCore: each action delegates to the server, which owns the registry ----

  register(nick: string): void {
    this.server.registerPlain(this, nick);
  }

  suggestNick(nick: string): string {
    return this.server.suggestNick(nick);
  }

  setNick(nick: string): void {
    this.server.setNick(this, nick);
  }

  join(channel: string, key?: string): void {
    if (!this.registered) throw new ChatError("notRegistered");
    this.server.join(this, channel, key);
  }

  part(channel: string, reason?: string): void {
    this.server.part(this, channel, reason);
  }

  send(target: string, text: string, command: "PRIVMSG" | "NOTICE" = "PRIVMSG"): { away?: string } {
    return this.server.sendMessage(this, command, target, text, undefined);
  }

  setAway(text?: string): void {
    this.server.setAway(this, text);
  }

  passwordFailed(): void {
    notePasswordFailure(
      this.server,
      this.server.limits,
      this.conn.remoteAddress,
      this.server.now(),
    );
  }

  kick(channel: string, nick: string, reason: string): void {
    this.server.kick(this, channel, nick, reason);
  }

  setModes(
    channel: string,
    changes: { sign: "+" | "-"; mode: string; param?: string }[],
  ): string[] {
    const ch = this.server.getChannel(channel);
    if (ch === undefined) throw new ChatError("noSuchChannel", [channel]);
    return this.server.applyChannelModes(this, ch, changes);
  }

  who(channel: string): WhoEntry[] {
    return this.server.who(this, channel);
  }

  whois(nick: string): WhoisInfo {
    return this.server.whois(nick);
  }

  topic(
    channel: string,
    text?: string,
  ): { text: string; setBy: string; setAt: number } | undefined {
    return this.server.topic(this, channel, text);
  }

  quit(reason?: string): void {
    this.server.quit(this, reason ?? "Quit");
  }

  write(bytes: Uint8Array): void {
    this.conn.send(bytes);
  }
}
