/**
 * THE CORE API: everything a front (IRC over TCP or WebSocket, plain text for
 * nc/telnet) may ask of the chat core, and what the core asks of a front.
 *
 * A front is built by a factory the core is given (`FrontFactory`), with a
 * `CoreApi` handle bound to its one connection. Actions return typed results
 * or throw `ChatError` (errors.ts) with a code and a readable message; fronts
 * turn those into numerics or sentences at their edge. Views are plain data:
 * no front ever holds a core object.
 */
import type { BusEvent } from "../bus/events.ts";
import type { BanKind } from "../security/bans.ts";
import type { BanState, HistoryEntry, HistoryRef, TopicState } from "../store/store.ts";
import type { ChatError } from "./errors.ts";
import type { Limits } from "./limits.ts";

export type { BusEvent } from "../bus/events.ts";
export type { BanState, HistoryEntry, HistoryRef, TopicState } from "../store/store.ts";
export { ChatError, type ErrorCode } from "./errors.ts";
export type { Limits } from "./limits.ts";

/**
 * Serialize-once keys: the core renders an event once per distinct variant and
 * shares the bytes among every recipient with it. IRC fronts use bits below
 * PLAIN_VARIANT; the plain front the two values from it.
 */
export const V_SERVER_TIME = 1;
export const V_MESSAGE_TAGS = 2;
export const PLAIN_VARIANT = 4;
/** A plain user in several rooms: every room line names its room. */
export const PLAIN_LABELLED_VARIANT = 5;
/** draft/multiline (with batch): a multi-line message arrives as one BATCH. */
export const V_MULTILINE = 8;
/** account-tag and extended-join change the bytes too. */
export const V_ACCOUNT_TAG = 16;
export const V_EXTENDED_JOIN = 32;
export const VARIANT_COUNT = 64;

/** What the core asks of a front. */
export interface Front {
  readonly kind: "irc" | "plain";
  /** The serialize-once key; the core asks again after caps or rooms change. */
  variant(): number;
  /** The front takes over the connection (a plain front greets here). */
  start(): void;
  /**
   * One input line, already stripped of NUL/CR/control bytes. `invalidUtf8`:
   * its bytes were not UTF-8 (U+FFFD stands in for them); the IRC front
   * refuses such a line (UTF8ONLY), the plain front shows the replacement.
   */
  line(text: string, invalidUtf8?: boolean): void;
  /** A line over the framing limit arrived and was dropped. */
  overlong(): void;
  /**
   * Bytes for a bus event, SHARED by every session with the same variant: they
   * may depend only on the event and the variant, never on the recipient.
   * null shows nothing.
   */
  render(event: BusEvent): Uint8Array | null;
  /** A server notice to this user. */
  notice(text: string): void;
  /** A refused action the front did not catch itself. */
  error(err: ChatError): void;
  /** Keep-alive probe for an idle client, or null when it cannot answer one. */
  ping(): Uint8Array | null;
  /** Last words before the core closes the connection. */
  farewell(reason: string): Uint8Array;
  /**
   * A room this user is in was renamed and the client cannot be told so
   * (no draft/channel-rename): show it as leaving `from` and joining `to`.
   * Without this method the rendered rename event is shown instead.
   */
  renamed?(from: string, to: string, reason: string): void;
  /** MONITOR: watched nicks came online (`nick!user@host`) or went offline (`nick`). */
  monitor?(online: boolean, targets: readonly string[]): void;
}

export type FrontFactory = (core: CoreApi) => Front;

/** Where a front collects what the core sends its connection during a command. */
export interface CaptureSink {
  bytes(bytes: Uint8Array): void;
}

export interface ServerInfo {
  name: string;
  network: string;
  version: string;
  createdAt: number;
  motd: string | undefined;
  /** Everyone must give the server password to register. */
  passwordRequired: boolean;
  limits: Readonly<Limits>;
}

export interface MemberView {
  nick: string;
  /** `nick!user@host` */
  userhost: string;
  op: boolean;
  voice: boolean;
  /** Logged in as their own nick: they own it (the ✓ of the member list). */
  owned?: boolean;
}

/** A room as its members see it on joining (and NAMES). */
export interface RoomView {
  channel: string;
  topic?: TopicState;
  /** In join order; capped at `limits.maxListMembers`. */
  members: MemberView[];
  /** Set when members were left out: the sentence saying so. */
  note?: string;
  /** +s secret, +p private, or public: NAMES shows `@`, `*` or `=`. */
  visibility: "secret" | "private" | "public";
}

export interface JoinResult {
  room: RoomView;
  /** Recent history for a client that will not fetch it itself. */
  replay?: readonly HistoryEntry[];
}

export interface RoomSummary {
  name: string;
  users: number;
  topic: string;
  /** ms since the epoch (ELIST C). */
  created: number;
  /** When the topic was set, ms (ELIST T); undefined without a topic. */
  topicTime?: number;
}

export interface ModeView {
  channel: string;
  /** e.g. ["+klnt", "key", "10"]; the key shown only to members. */
  modes: string[];
  created: number;
}

export interface ModeChange {
  sign: "+" | "-";
  mode: string;
  param?: string;
}

export interface WhoEntry {
  /** The room asked about, or "*" for a nick mask. */
  channel: string;
  nick: string;
  user: string;
  host: string;
  realname: string;
  away: boolean;
  oper: boolean;
  op: boolean;
  voice: boolean;
  /** Bot mode (+B): WHO flag B. */
  bot: boolean;
  /** Seconds since the user last spoke (WHOX %l). */
  idleSeconds: number;
  /** The owned nick they proved, or null. */
  account: string | null;
}

export interface WhoisInfo {
  nick: string;
  user: string;
  host: string;
  realname: string;
  rooms: { name: string; op: boolean; voice: boolean }[];
  away: string | undefined;
  oper: boolean;
  /** Bot mode (+B): RPL_WHOISBOT 335. */
  bot: boolean;
  plain: boolean;
  idleSeconds: number;
  signon: number;
  /** The owned nick they proved (WHOIS 330), or null. */
  account: string | null;
}

export interface UserView {
  nick: string;
  user: string;
  host: string;
  oper: boolean;
  away: string | undefined;
}

export interface WhowasEntry {
  nick: string;
  user: string;
  host: string;
  realname: string;
  at: number;
}

export interface Counts {
  users: number;
  invisible: number;
  unknown: number;
  opers: number;
  channels: number;
  /** The most registered users at once since the server started. */
  peak: number;
}

export type HistoryQuery =
  | { kind: "latest"; after?: HistoryRef }
  | { kind: "before" | "after" | "around"; ref: HistoryRef }
  | { kind: "between"; from: HistoryRef; to: HistoryRef };

export type HistoryAnswer =
  | { ok: true; target: string; entries: HistoryEntry[] }
  | { ok: false; reason: "invalid-target" | "store-error"; message: string };

/** SEARCH (soju.im/search): words, and where, from whom and when to look. */
export interface SearchRequest {
  words: string;
  /** One room or nick; all one may read when absent. */
  target?: string;
  from?: string;
  after?: number;
  before?: number;
  limit: number;
}

export interface HistoryTargetView {
  name: string;
  time: number;
}

export interface ServerBanView {
  kind: BanKind;
  pattern: string;
  reason: string;
  setBy: string;
  /** ms since the epoch; absent: until lifted. */
  expiresAt?: number;
}

/** `refused`: the core told the user why (wrong password, server ban) and closed the connection. */
export type OperOutcome = "granted" | "already" | "throttled" | "refused";

export type RegisterOutcome = "registered" | "waiting" | "refused";

/** What became of a RENAME; refusals that have numerics (403, 442, 482) are ChatErrors. */
export type RenameOutcome = "renamed" | "in-use" | "cannot-rename";

/** What became of a REDACT; the IRC front gives each refusal its FAIL code. */
export type RedactOutcome = "redacted" | "invalid-target" | "unknown-msgid" | "forbidden";

/** Proving or claiming an owned nick. No field ever holds the secret. */
export type AuthResult =
  | { ok: true; account: string; created: boolean }
  | {
      ok: false;
      reason:
        | "wrong"
        | "throttled"
        | "unclaimed"
        | "claimed"
        | "invalid"
        | "taken"
        | "weak"
        | "already"
        | "nocert"
        | "password";
      message: string;
    };

/** The core's actions and views, bound to one connection. */
export interface CoreApi {
  readonly server: ServerInfo;
  now(): number;

  // ---- this connection
  readonly nick: string | undefined;
  readonly registered: boolean;
  /** `nick!user@host` */
  readonly prefix: string;
  readonly host: string;
  readonly away: string | undefined;
  readonly oper: boolean;
  /** Rooms joined, display names, in join order. */
  readonly channels: readonly string[];
  hasCap(cap: string): boolean;
  /** Enable and disable capabilities (names the front offers); the variant follows. */
  setCaps(enable: readonly string[], disable: readonly string[]): void;
  capList(): string[];
  /** While set, bytes the core sends this connection go to `sink` (a front's reply buffer). */
  capture(sink: CaptureSink | undefined): void;
  /** Queue bytes to this connection now. */
  write(bytes: Uint8Array): void;

  // ---- registration
  setNick(nick: string): void;
  setUser(user: string, realname: string): void;
  /**
   * Finish registration once nick and user are set. A wrong server password
   * (counted against the address) or a server ban is told to the user through
   * `Front.error` and closes the connection: "refused".
   */
  register(password: string | undefined): RegisterOutcome;
  /** A typed server password is right (a wrong one is counted against the address). */
  checkPassword(typed: string): boolean;
  suggestNick(nick: string): string;
  quit(reason?: string): void;
  disconnect(reason: string): void;

  // ---- owned nicks (the nick is the account name)
  /** The owned nick this connection proved, or null. */
  readonly account: string | null;
  /** The owner's spelling when `nick` is claimed, else undefined. */
  claimedBy(nick: string): string | undefined;
  /**
   * Prove `nick` with `secret`, or claim it ("either": whichever applies).
   * Before registration the server password given so far (PASS) must be right.
   */
  authenticate(
    nick: string,
    secret: string,
    mode: "login" | "claim" | "either",
    serverPassword?: string,
  ): Promise<AuthResult>;
  /** Prove or claim a nick with this connection's TLS client certificate (SASL EXTERNAL). */
  authenticateCert(nick: string | undefined, serverPassword?: string): AuthResult;
  /** Drop this connection's claim; returns the nick that was claimed. */
  unclaim(): string;
  /** Operators: drop anyone's claim; returns the nick as it was claimed. */
  release(nick: string): string;

  // ---- rooms
  /** undefined: already in the room (nothing happened). */
  join(name: string, key?: string): JoinResult | undefined;
  part(name: string, reason?: string): void;
  partAll(): void;
  names(name: string): RoomView | undefined;
  list(names?: readonly string[]): RoomSummary[];
  topic(name: string): TopicState | undefined;
  setTopic(name: string, text: string): void;
  kick(name: string, nick: string, reason: string): void;
  invite(nick: string, name: string): { nick: string; channel: string; away?: string };
  /** RENAME (draft/channel-rename), for room and server operators. */
  rename(from: string, to: string, reason: string): RenameOutcome;
  channelModes(name: string): ModeView;
  banList(name: string): { channel: string; bans: readonly BanState[] };
  /** A list mode's entries: `b` bans, `e` ban exceptions, `I` invite exceptions. */
  modeList(name: string, mode: "b" | "e" | "I"): { channel: string; entries: readonly BanState[] };
  /** Rooms this user holds a pending invitation to (INVITE with no parameters). */
  pendingInvites(): string[];
  /** Apply channel mode changes; returns what changed (mode string and params). */
  setModes(name: string, changes: readonly ModeChange[]): string[];

  // ---- messages
  /**
   * To a room or a nick. Returns the recipient's name and away text for a nick;
   * `offline` when the nick's owner is away and the message is kept for them.
   */
  send(
    command: "PRIVMSG" | "NOTICE",
    target: string,
    text: string,
    clientTags?: [string, string][],
    /** A draft/multiline batch: `text` may hold line feeds and exceed one line. */
    multiline?: boolean,
  ): { nick?: string; away?: string; offline?: boolean };
  tagmsg(target: string, clientTags: [string, string][]): void;
  /** REDACT (draft/message-redaction): withdraw a stored message of a room or a private chat. */
  redact(target: string, msgid: string, reason?: string): RedactOutcome;

  // ---- people
  setAway(text: string | undefined): void;
  /** SETNAME: "invalid" (nothing changed) for an empty, overlong or control-character name. */
  setRealname(realname: string): "ok" | "invalid";
  userModes(): string;
  /** Apply `+i`, `-w`, `-o`...; returns the applied string and whether a flag was unknown. */
  setUserModes(target: string, modes: string): { applied: string; unknown: boolean };
  who(mask: string, opersOnly: boolean): { entries: WhoEntry[]; note?: string };
  whois(nick: string): WhoisInfo;
  whowas(nick: string, count: number): WhowasEntry[];
  user(nick: string): UserView | undefined;
  counts(): Counts;
  /** MONITOR: watch nicks; online ones as `nick!user@host`, and those past the limit. */
  monitorAdd(nicks: readonly string[]): { online: string[]; offline: string[]; full: string[] };
  monitorRemove(nicks: readonly string[]): void;
  monitorClear(): void;
  /** Watched nicks, casefolded. */
  monitorList(): string[];
  monitorStatus(): { online: string[]; offline: string[] };

  // ---- operators
  /** OPER, checked off the event loop; a refusal was already told to the user (464). */
  operLogin(name: string, password: string): OperOutcome | Promise<OperOutcome>;
  kill(nick: string, reason: string): string;
  /** WALLOPS to every +w user (operators only). */
  wallops(text: string): void;
  /** `durationMs`: the ban expires after it; absent: until lifted. Kept across restarts. */
  addServerBan(
    kind: BanKind,
    pattern: string,
    reason: string,
    durationMs?: number,
  ): { pattern: string; removed: number };
  liftServerBan(kind: BanKind, pattern: string): string | undefined;
  serverBans(kind: BanKind): ServerBanView[];

  // ---- history
  history(target: string, query: HistoryQuery, limit: number): HistoryAnswer;
  historyTargets(from: number, to: number, limit: number): HistoryTargetView[];
  /** Full-text search of the history one may read (the same rule as CHATHISTORY). */
  search(req: SearchRequest): HistoryAnswer;
  /** draft/read-marker: the last read time (ms) of a room or nick; throws notOnChannel for a room one is not in. */
  readMarker(target: string): number | undefined;
  /** Move the read marker forward (never back, never past now); returns the stored time. */
  setReadMarker(target: string, time: number): number;
  /** A fresh id for a BATCH reference. */
  newId(): string;
}

/** `@` / `+` for a member: the highest only, or all with multi-prefix. */
export function prefixOf(m: { op: boolean; voice: boolean }, multi: boolean): string {
  if (multi) return (m.op ? "@" : "") + (m.voice ? "+" : "");
  return m.op ? "@" : m.voice ? "+" : "";
}
