/**
 * The storage seam: history and room state. The server core talks only to this
 * interface; `SqliteStore` is the real one and `MemoryStore` serves tests.
 *
 * Durability contract: `append` only buffers. The server calls `flush` once per
 * event-loop turn BEFORE it writes that turn's output to sockets, so anything a
 * client has received is already committed (WAL) and survives `kill -9`.
 */

export type HistoryCommand = "PRIVMSG" | "NOTICE";

export interface HistoryEntry {
  /** Server-assigned unique id, sent as the `msgid` tag. */
  msgid: string;
  /** Server time, milliseconds since the epoch. */
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
  /** Message text as sent on the wire (a /me is the CTCP ACTION form). */
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
}

export interface HistoryStore {
  /** Buffer a message; it is committed by the next `flush`. */
  append(entry: HistoryEntry): void;
  /** Commit everything buffered, in one transaction. */
  flush(): void;
  /** Newest `limit` messages of a conversation, returned oldest first. */
  latest(key: string, limit: number): HistoryEntry[];
  /** Up to `limit` messages strictly before `ref`, the newest ones, oldest first. */
  before(key: string, ref: HistoryRef, limit: number): HistoryEntry[];
  /** Up to `limit` messages strictly after `ref`, oldest first. */
  after(key: string, ref: HistoryRef, limit: number): HistoryEntry[];
  /** About `limit` messages centred on `ref`, oldest first. */
  around(key: string, ref: HistoryRef, limit: number): HistoryEntry[];
  /** Messages strictly between the two refs (either order), oldest first. */
  between(key: string, a: HistoryRef, b: HistoryRef, limit: number): HistoryEntry[];
  /** Conversations among `keys` with activity between `from` and `to` (ms), latest first. */
  targets(
    keys: readonly string[],
    from: number,
    to: number,
    limit: number,
  ): { key: string; target: string; time: number }[];
  saveRoom(room: RoomState): void;
  deleteRoom(name: string): void;
  loadRooms(): RoomState[];
  /** Flush and release the database. */
  close(): void;
}
