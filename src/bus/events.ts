/**
 * THE BUS EVENT CONTRACT. Every event a user can see crosses the bus as one of
 * these, published on a topic named by the casefolded room (`#lobby`) or nick
 * (`alice`) it is addressed to. Events are self-contained and JSON-safe: plain
 * strings, numbers and arrays, nothing that means something only inside this
 * process, so a bus between `chat serve` nodes carries them unchanged.
 *
 * Who gets an event is decided by the receiving node from the event alone:
 *   - on a room topic: that node's members of the room (see delivery.ts for the
 *     echo and capability rules);
 *   - on a nick topic: that node's session holding the nick.
 */

/**
 * Which connection caused the event: the node that published it and that
 * node's connection number. Used only to recognise the sender's own session
 * (echo-message, "a quitting user is not told"); any node can compare it.
 */
export interface Origin {
  node: string;
  conn: number;
}

interface Base {
  /** `nick!user@host` of whoever caused the event. */
  source: string;
  /** ms since the epoch, server time. */
  time: number;
  origin: Origin;
}

/** PRIVMSG or NOTICE, to a room (target `#room`) or a person (target: their nick). */
export interface MessageEvent extends Base {
  type: "message";
  command: "PRIVMSG" | "NOTICE";
  /** The room's or the recipient's name as the network displays it. */
  target: string;
  text: string;
  msgid: string;
  /** Client-only tags (`+typing` etc.) passed on to message-tags clients. */
  clientTags?: [string, string][];
}

/** TAGMSG: client-only tags with no text (typing notifications, reactions). Not stored. */
export interface TagmsgEvent extends Base {
  type: "tagmsg";
  target: string;
  msgid: string;
  clientTags: [string, string][];
}

export interface JoinEvent extends Base {
  type: "join";
  channel: string;
  realname: string;
  /** Set when the joiner became op (opened the room): other nodes' replicas follow it. */
  op?: true;
}

export interface PartEvent extends Base {
  type: "part";
  channel: string;
  reason?: string;
}

export interface KickEvent extends Base {
  type: "kick";
  channel: string;
  victim: string;
  reason: string;
}

export interface TopicEvent extends Base {
  type: "topic";
  channel: string;
  /** "" clears the topic. */
  text: string;
}

export interface ModeEvent extends Base {
  type: "mode";
  channel: string;
  /** e.g. ["+o-v", "alice", "bob"] */
  modes: string[];
}

/** Published on the invitee's nick topic. */
export interface InviteEvent extends Base {
  type: "invite";
  channel: string;
  invitee: string;
}

/**
 * A change of the person, not of one room: QUIT, NICK, AWAY. Published once on
 * each room topic the person is in (and a NICK also on their own nick topic),
 * carrying every such room, so a node shows it once to each recipient: in the
 * first listed room the recipient shares.
 */
export interface UserEvent extends Base {
  type: "quit" | "nick" | "away";
  /** quit reason, new nick, or away text ("" = back) */
  text: string;
  /** Casefolded rooms the person was in when it happened, in a stable order. */
  rooms: string[];
}

export type RoomEvent =
  | MessageEvent
  | TagmsgEvent
  | JoinEvent
  | PartEvent
  | KickEvent
  | TopicEvent
  | ModeEvent;

export type BusEvent = RoomEvent | InviteEvent | UserEvent;

export function isUserEvent(ev: BusEvent): ev is UserEvent {
  return ev.type === "quit" || ev.type === "nick" || ev.type === "away";
}
