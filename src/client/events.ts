/**
 * What the client shows: every inbound line the user should notice becomes one
 * ClientEvent. The terminal UI, pipe mode and --json all render this one type.
 */

export type MessageKind = "privmsg" | "action" | "notice";

export interface MessageEvent {
  type: "message";
  kind: MessageKind;
  time: Date;
  /** Channel, or the other person's nick for a private conversation. */
  room: string;
  nick: string;
  text: string;
  msgid?: string;
  /** Our own line (echo-message or local echo). */
  self: boolean;
  /** Replayed history rather than live traffic. */
  history: boolean;
  /** Mentions our nick. */
  mention: boolean;
  /** A /search result (soju.im/search batch), not traffic: listed as a numbered row, never as the line. */
  found?: boolean;
  /** Listed as result N of a /search in the window it was asked from: drawn `  N) ...`. */
  resultNumber?: number;
  /** The sender proved they own their nick (account-tag names it); `--json` has it as "owned". */
  owned?: boolean;
}

export interface MembershipEvent {
  type: "join" | "part" | "kick";
  time: Date;
  room: string;
  nick: string;
  self: boolean;
  /** Part/kick reason; for a kick, who was kicked is `target`. */
  text: string;
  target?: string;
}

export interface QuitEvent {
  type: "quit";
  time: Date;
  nick: string;
  text: string;
  rooms: string[];
}

export interface NickEvent {
  type: "nick";
  time: Date;
  nick: string;
  newNick: string;
  self: boolean;
  rooms: string[];
}

export interface TopicEvent {
  type: "topic";
  time: Date;
  room: string;
  /** Who changed it; undefined when the topic is only being reported on join. */
  nick?: string;
  text: string;
}

export interface NamesEvent {
  type: "names";
  time: Date;
  room: string;
  nicks: string[];
  /** folded nick -> status prefix ("@", "+") for those who have one, so operators can be told apart. */
  prefixes?: Map<string, string>;
  /** folded nicks of members who own their nick (logged in as it): shown with a ✓. */
  owned?: Set<string>;
}

/** Server replies worth showing (WHO, WHOIS, MOTD, away notices, modes). */
export interface InfoEvent {
  type: "info";
  time: Date;
  text: string;
  room?: string;
}

/** A refused command or server-side error; `fatal` ones end the session. */
export interface ErrorEvent {
  type: "error";
  time: Date;
  text: string;
  code?: string;
  fatal?: boolean;
}

/** Connection life: connected, lost, reconnecting. */
export interface StatusEvent {
  type: "status";
  time: Date;
  text: string;
}

export type ClientEvent =
  | MessageEvent
  | MembershipEvent
  | QuitEvent
  | NickEvent
  | TopicEvent
  | NamesEvent
  | InfoEvent
  | ErrorEvent
  | StatusEvent;
