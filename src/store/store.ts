/**
 * The storage seam: history and room state. The server core talks only to this
 * interface; `SqliteStore` is the real one and `MemoryStore` serves tests.
 *
 * Durability contract: `append` only buffers. The server calls `flush` once per
 * event-loop turn BEFORE it writes that turn's output to sockets, so anything a
 * client has received is already committed (WAL) and survives `kill -9`. The
 * SQLite store also flushes by itself at the end of a turn that wrote nothing.
 *
 * Failure contract: once open, no method throws on a storage error. A failed
 * flush keeps its messages for the next one and reports through the store's
 * `onError`; a failed read answers with nothing. Opening (and `loadRooms`, read
 * once at start) fails with `StoreOpenError` (errors.ts), a FatalError: one
 * line, exit status 1.
 */

/** A full-text search (search.ts has the matching rules). */
export interface SearchQuery {
  /** What to look for; every token must occur. */
  words: string;
  /** Only messages from this nick (casefolded). */
  from?: string;
  /** Only messages strictly after / before these times (ms). */
  after?: number;
  before?: number;
  limit: number;
}

export type HistoryCommand = "PRIVMSG" | "NOTICE" | PlaybackCommand;

/**
 * Room events kept for draft/event-playback (core/playback.ts), under their
 * own conversation key so they never push messages out of retention.
 */
export type PlaybackCommand = "JOIN" | "PART" | "KICK" | "TOPIC" | "MODE" | "QUIT" | "NICK";

export interface HistoryEntry {
  /** Server-assigned unique id, sent as the `msgid` tag. */
  msgid: string;
  /**
   * Server time, milliseconds since the epoch. A conversation is ordered by
   * time, then arrival (so a clock stepping back cannot scramble pages).
   */
  time: number;
  /**
   * Conversation key: the casefolded channel name, or for a private message the
   * two casefolded nicks sorted and joined by a space ("alice bob").
   */
  key: string;
  /** The target as sent: a channel name, or the recipient's nick. */
  target: string;
  /** Full source `nick!user@host` of the sender. */
  source: string;
  command: HistoryCommand;
  /**
   * Message text as sent on the wire (a /me is the CTCP ACTION form); for a
   * playback event, the event itself as JSON.
   */
  text: string;
}

/** A point in a conversation: a msgid or a timestamp (ms since the epoch). */
export type HistoryRef = { msgid: string } | { time: number };

export interface TopicState {
  text: string;
  setBy: string;
  setAt: number;
}

export interface BanState {
  mask: string;
  setBy: string;
  setAt: number;
}

export interface RoomState {
  /** Channel name as first created (display case). */
  name: string;
  created: number;
  topic?: TopicState;
  /** Flag modes without parameters, e.g. "nt" or "imnt". */
  flags: string;
  key?: string;
  limit?: number;
  bans: BanState[];
  /** +e ban exceptions and +I invite exceptions; absent when empty. */
  exceptions?: BanState[];
  invexes?: BanState[];
}

/** One row of `targets`: a conversation and its latest message in the range. */
export interface HistoryTarget {
  key: string;
  /** `target` of that latest message (a channel, or the recipient's nick). */
  target: string;
  /** `source` of that latest message, to name the other side of a private chat. */
  source: string;
  time: number;
  /** msgid of that latest message, to order it against events in the same millisecond. */
  msgid: string;
}

/** Whether a conversation key names a private chat ("alice bob") rather than a channel. */
export function isPrivateKey(key: string): boolean {
  return key.includes(" ");
}

/** The conversation key of a private chat between two casefolded nicks. */
export function privateKey(foldedA: string, foldedB: string): string {
  return foldedA <= foldedB ? `${foldedA} ${foldedB}` : `${foldedB} ${foldedA}`;
}

export interface HistoryStore {
  /** Buffer a message; it is committed by the next `flush`. A msgid already stored is ignored. */
  append(entry: HistoryEntry): void;
  /** Commit everything buffered, in one transaction. */
  flush(): void;
  /**
   * Newest `limit` messages of a conversation, returned oldest first. A msgid
   * that is unknown (or pruned) as a ref gives an empty answer in every query.
   */
  latest(key: string, limit: number): HistoryEntry[];
  /** Up to `limit` messages strictly before `ref`, the newest ones, oldest first. */
  before(key: string, ref: HistoryRef, limit: number): HistoryEntry[];
  /** Up to `limit` messages strictly after `ref`, oldest first. */
  after(key: string, ref: HistoryRef, limit: number): HistoryEntry[];
  /**
   * Up to `limit` messages centred on `ref`, oldest first: half strictly before
   * it, the rest from it on (a msgid's own message included); a short side is
   * made up from the other.
   */
  around(key: string, ref: HistoryRef, limit: number): HistoryEntry[];
  /**
   * Up to `limit` messages strictly between the two refs (either order), the
   * ones nearest `a`, returned oldest first.
   */
  between(key: string, a: HistoryRef, b: HistoryRef, limit: number): HistoryEntry[];
  /**
   * Conversations among `keys` (plus, when `nick` is given, every private
   * conversation that casefolded nick takes part in) whose latest message
   * strictly between `from` and `to` (ms) exists, one row per conversation with
   * that message's time. Ordered from `from` towards `to`: latest first when
   * `from > to`, earliest first otherwise; `limit` keeps the ones nearest `from`.
   */
  targets(
    keys: readonly string[],
    from: number,
    to: number,
    limit: number,
    nick?: string,
  ): HistoryTarget[];
  /**
   * Forget one message of a conversation (draft/message-redaction), with
   * everything buffered committed first; whether it was there.
   */
  redact(key: string, msgid: string): boolean;
  /**
   * Move conversation `from` to key `to` (a RENAME), its rows now naming
   * `target`; merged in order with whatever `to` already held.
   */
  moveConversation(from: string, to: string, target: string): void;
  /**
   * Full-text search (the rules of search.ts) in the conversations among
   * `keys` (plus, when `nick` is given, every private conversation that
   * casefolded nick takes part in): the newest `q.limit` matches, oldest first.
   */
  search(keys: readonly string[], q: SearchQuery, nick?: string): HistoryEntry[];
  /** Insert or replace a room's state, keyed by its casefolded name; written at once. */
  saveRoom(room: RoomState): void;
  /** Forget a room (any case of its name). */
  deleteRoom(name: string): void;
  loadRooms(): RoomState[];
  /**
   * draft/read-marker: the time (ms) of the last message a casefolded nick has
   * read in a conversation (casefolded channel or nick), undefined when unknown.
   */
  readMarker(nick: string, target: string): number | undefined;
  /** Record a read marker; written at once (it is rare and must survive a restart). */
  saveReadMarker(nick: string, target: string, time: number): void;
  /** Flush and release the database. */
  close(): void;
}
