/**
 * Domain events carried by the bus. JSON-safe (plain strings and numbers) so that
 * they can cross a process boundary unchanged.
 */

/** A PRIVMSG or NOTICE to a room. */
export interface MessageEvent {
  type: "message";
  /** Channel name as the room displays it. */
  target: string;
  command: "PRIVMSG" | "NOTICE";
  /** `nick!user@host` of the sender. */
  source: string;
  text: string;
  msgid: string;
  /** ms since the epoch */
  time: number;
  /** Client-only tags (`+typing` etc.) passed on to message-tags clients. */
  clientTags?: [string, string][];
  /** Session id of the sender, so it can be skipped unless it asked for echo-message. */
  senderId: number;
}

export interface JoinEvent {
  type: "join";
  channel: string;
  source: string;
  account?: string;
  realname: string;
  time: number;
  senderId: number;
}

export interface PartEvent {
  type: "part";
  channel: string;
  source: string;
  reason?: string;
  time: number;
  senderId: number;
}

export interface KickEvent {
  type: "kick";
  channel: string;
  source: string;
  victim: string;
  reason: string;
  time: number;
  senderId: number;
}

export interface TopicEvent {
  type: "topic";
  channel: string;
  source: string;
  text: string;
  time: number;
  senderId: number;
}

export interface ModeEvent {
  type: "mode";
  channel: string;
  source: string;
  /** e.g. ["+o-v", "alice", "bob"] */
  modes: string[];
  time: number;
  senderId: number;
}

export interface InviteEvent {
  type: "invite";
  channel: string;
  source: string;
  invitee: string;
  time: number;
  senderId: number;
}

/** Room-scoped view of a user-wide change (QUIT, NICK, AWAY): delivered once per recipient. */
export interface UserEvent {
  type: "quit" | "nick" | "away";
  source: string;
  /** quit reason, new nick, or away text ("" = back) */
  text: string;
  time: number;
  senderId: number;
}

export type RoomEvent =
  | MessageEvent
  | JoinEvent
  | PartEvent
  | KickEvent
  | TopicEvent
  | ModeEvent
  | InviteEvent;

export type BusEvent = RoomEvent | UserEvent;
