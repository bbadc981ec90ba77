/**
 * THE FRONT SEAM: how a session talks to its user.
 *
 * A session has exactly one front. The IRC front (irc-front.ts) parses IRC
 * commands and serializes IRC lines; the plain front (plain.ts, for nc/telnet
 * humans) reads typed text and renders readable lines such as
 * `12:01 <alice> hi`. The core never formats output itself: every outgoing
 * domain event goes through `Front.render` and every typed line through
 * `Front.line`.
 *
 * Output: the core calls
 *   - `render(event)` for room and user events (message, join, part, kick, quit,
 *     nick change, topic, mode, away). The returned bytes are SHARED by every
 *     session whose front has the same `variant` (serialize-once fan-out), so
 *     `render` must depend only on the event and the variant, never on the
 *     recipient. Return null to show nothing.
 *   - `direct(event)` for a private PRIVMSG/NOTICE to this user (not shared).
 *   - `joined(info)` right after this user joined a room (IRC: topic + NAMES;
 *     plain: "you are in #lobby with ...") and `replay(channel, entries)` for the
 *     recent history shown on join.
 *   - `notice(text)` for a server notice and `farewell(reason)` for the last
 *     words before the server closes the connection.
 * Input: the transport hands each line to `line(text)`. A plain front runs core
 * actions through `PlainCore` (below), which throw `ChatError` (errors.ts) with
 * a readable `message` when the action is refused.
 */
import type { BusEvent, MessageEvent } from "../bus/events.ts";
import type { HistoryEntry } from "../store/store.ts";
import type { ChatError } from "./errors.ts";

/** Variant bits for IRC fronts; the plain front uses PLAIN_VARIANT. */
export const V_SERVER_TIME = 1;
export const V_MESSAGE_TAGS = 2;
/** Variant numbers are small integers: the fan-out cache is an array indexed by them. */
export const PLAIN_VARIANT = 4;
/** A plain user in several rooms: every room line names its room, #lobby too. */
export const PLAIN_LABELLED_VARIANT = 5;
export const VARIANT_COUNT = 8;

export interface JoinedInfo {
  channel: string;
  topic?: { text: string; setBy: string; setAt: number };
  /** Members in join order with their prefixes. */
  members: { nick: string; prefix: string; userhost: string }[];
}

export interface Front {
  readonly kind: "irc" | "plain";
  /** Serialize-once key: same variant => same bytes for any `render` call. */
  readonly variant: number;
  /** Called once when the front takes over the connection (a plain front greets here). */
  start(): void;
  /** One input line, already stripped of NUL/CR/control bytes. */
  line(text: string): void;
  render(event: BusEvent): Uint8Array | null;
  direct(event: MessageEvent): Uint8Array | null;
  joined(info: JoinedInfo): void;
  replay(channel: string, entries: readonly HistoryEntry[]): void;
  notice(text: string): void;
  /** A refused action the front did not catch itself (shown to the user). */
  error(err: ChatError): void;
  /** Bytes sent just before the server closes this connection. */
  farewell(reason: string): Uint8Array;
}

export interface WhoEntry {
  nick: string;
  user: string;
  host: string;
  realname: string;
  away: boolean;
  /** "@", "+" or "" in the asked channel. */
  prefix: string;
}

/** One person as /whois shows them to a plain user. */
export interface WhoisInfo {
  nick: string;
  user: string;
  host: string;
  realname: string;
  /** Room names with the person's status prefix, e.g. "@#lobby". */
  rooms: string[];
  away: string | undefined;
  idleSeconds: number;
  plain: boolean;
}

/** What the plain front may do. Every method throws ChatError when refused. */
export interface PlainCore {
  /** The nick, once chosen. */
  readonly nick: string | undefined;
  /** Rooms this user is in, display names. */
  readonly channels: readonly string[];
  /** The serialize-once variant: PLAIN_LABELLED_VARIANT while in several rooms. */
  readonly variant: number;
  /** Pick the first nick and finish registration (no IRC welcome burst is sent). */
  register(nick: string): void;
  /** A free nick close to `nick`, for "taken, try alice_" hints. */
  suggestNick(nick: string): string;
  setNick(nick: string): void;
  join(channel: string, key?: string): void;
  part(channel: string, reason?: string): void;
  /** PRIVMSG (or NOTICE) to a room or a nick. A /me is text "\x01ACTION ...\x01". */
  send(target: string, text: string, command?: "PRIVMSG" | "NOTICE"): { away?: string };
  /** Mark this user away with a message, or back with undefined. */
  setAway(text?: string): void;
  /** A wrong server password was typed (counted against the address, see security/lockout.ts). */
  passwordFailed(): void;
  /** Room moderation (needs room or server operator status, else ChatError). */
  kick(channel: string, nick: string, reason: string): void;
  /** Apply channel mode changes such as +b MASK, +m, -v NICK; returns what changed. */
  setModes(channel: string, changes: { sign: "+" | "-"; mode: string; param?: string }[]): string[];
  who(channel: string): WhoEntry[];
  /** Who a nick is; ChatError noSuchNick when nobody has it. */
  whois(nick: string): WhoisInfo;
  /** Read (text undefined) or set a topic. */
  topic(channel: string, text?: string): { text: string; setBy: string; setAt: number } | undefined;
  quit(reason?: string): void;
  /** Queue raw bytes to this connection. */
  write(bytes: Uint8Array): void;
}

/** Builds the plain front for a connection detected as a human. */
export type PlainFrontFactory = (core: PlainCore) => Front;
