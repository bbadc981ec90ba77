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
  /**
   * Server-assigned id (IRCv3 message-ids): every event carries one, so a
   * message-tags client can refer to any line it was shown (history, redaction).
   */
  msgid: string;
  origin: Origin;
  /** The owned nick the source proved (account-tag, extended-join); absent for unowned nicks. */
  account?: string;
}

/** PRIVMSG or NOTICE, to a room (target `#room`) or a person (target: their nick). */
export interface MessageEvent extends Base {
  type: "message";
  command: "PRIVMSG" | "NOTICE";
  /** The room's or the recipient's name as the network displays it. */
  target: string;
  text: string;
  /** Client-only tags (`+typing` etc.) passed on to message-tags clients. */
  clientTags?: [string, string][];
  /** STATUSMSG (target `@#room` / `+#room`): only members with this status or higher get it. */
  statusmsg?: "@" | "+";
  /** Sent by a user with the bot mode (+B): message-tags clients see the `bot` tag. */
  bot?: true;
  /**
   * From a draft/multiline batch: `text` may hold line feeds and lines longer
   * than IRC's limit; fronts cut it into lines (or one BATCH) when rendering.
   */
  multiline?: true;
}

/** TAGMSG: client-only tags with no text (typing notifications, reactions). Not stored. */
export interface TagmsgEvent extends Base {
  type: "tagmsg";
  target: string;
  clientTags: [string, string][];
  statusmsg?: "@" | "+";
  bot?: true;
}

/**
 * draft/message-redaction: the message `redacted` of a room (target `#room`)
 * or a private conversation (target: the recipient's nick) is withdrawn.
 * Published where the message went; every node's history forgets it.
 */
export interface RedactEvent extends Base {
  type: "redact";
  target: string;
  redacted: string;
  reason?: string;
}

/** draft/channel-rename: room `from` is now called `channel` (same members, modes, topic). */
export interface RenameEvent extends Base {
  type: "rename";
  channel: string;
  from: string;
  /** "" when none was given. */
  reason: string;
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

/** Published on the invitee's nick topic, and on the room's for invite-notify. */
export interface InviteEvent extends Base {
  type: "invite";
  channel: string;
  invitee: string;
}

/** WALLOPS from an operator, published on the nick topic of each +w user. */
export interface WallopsEvent extends Base {
  type: "wallops";
  text: string;
}

/**
 * A change of the person, not of one room: QUIT, NICK, AWAY. Published once on
 * each room topic the person is in (and a NICK also on their own nick topic),
 * carrying every such room, so a node shows it once to each recipient: in the
 * first listed room the recipient shares.
 */
export interface UserEvent extends Base {
  type: "quit" | "nick" | "away" | "setname" | "account";
  /** quit reason, new nick, away text ("" = back), new real name (SETNAME), or account name ("" = logged out) */
  text: string;
  /** Casefolded rooms the person was in when it happened, in a stable order. */
  rooms: string[];
}

export type RoomEvent =
  | MessageEvent
  | TagmsgEvent
  | RedactEvent
  | RenameEvent
  | JoinEvent
  | PartEvent
  | KickEvent
  | TopicEvent
  | ModeEvent;

export type BusEvent = RoomEvent | InviteEvent | UserEvent | WallopsEvent;

export function isUserEvent(ev: BusEvent): ev is UserEvent {
  return (
    ev.type === "quit" ||
    ev.type === "nick" ||
    ev.type === "away" ||
    ev.type === "setname" ||
    ev.type === "account"
  );
}
