/**
 * Inbound lines -> state changes + events, in one table keyed by verb or
 * numeric (the client-side twin of the server's command table). Pure: no I/O,
 * so every rule is tested by feeding recorded server lines.
 *
 * Connection plumbing (CAP, PING, nick fallback while registering) lives in
 * connection.ts and registration.ts; those verbs still pass through here for their state effects.
 */
import { foldCase } from "../protocol/casemap.ts";
import type { IrcMessage } from "../protocol/message.ts";
import { ERR, RPL } from "../protocol/numerics.ts";
import { nickOf } from "../protocol/text.ts";
import { parseCtcp } from "./ctcp.ts";
import type { ClientEvent, MessageEvent, MessageKind } from "./events.ts";
import { memberHandlers, noteAccount, renameAccount } from "./members.ts";
import { collectMultiline } from "./multiline.ts";
import { foundMessage } from "./search.ts";
import type { ClientState } from "./state.ts";
import { mentions } from "./text.ts";

type Handler = (state: ClientState, msg: IrcMessage, now: number) => ClientEvent[];

const HISTORY_BATCHES = new Set(["chathistory", "draft/chathistory"]);
/**
 * A replay without a batch (older servers, bouncers) is recognised by its
 * server-time: a line stamped this long before our JOIN is history. Generous,
 * so a server whose clock is behind ours never makes live talk look old.
 */
const HISTORY_SLACK_MS = 60_000;

/** Who sent a line: the nick of its source, "" when it has none. */
function from(msg: IrcMessage): string {
  return nickOf(msg.source ?? "");
}

export function messageTime(msg: IrcMessage, now: number): Date {
  const t = msg.tags.get("time");
  if (t !== undefined) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return new Date(now);
}

function last(msg: IrcMessage): string {
  return msg.params[msg.params.length - 1] ?? "";
}

function inHistoryBatch(state: ClientState, msg: IrcMessage): boolean {
  const ref = msg.tags.get("batch");
  if (ref === undefined) return false;
  const type = state.batches.get(ref);
  return type !== undefined && HISTORY_BATCHES.has(type);
}

function textMessage(kind: "PRIVMSG" | "NOTICE"): Handler {
  return (state, msg, now) => {
    const target = msg.params[0] ?? "";
    let text = msg.params[1] ?? "";
    const nick = from(msg);
    const msgid = msg.tags.get("msgid");
    if (msgid !== undefined && !state.seen.add(msgid)) return [];

    let k: MessageKind = kind === "NOTICE" ? "notice" : "privmsg";
    const ctcp = parseCtcp(text);
    if (ctcp !== undefined) {
      // Other CTCP (VERSION, PING...) is machine talk, not chat.
      if (ctcp.verb !== "ACTION") return [];
      k = "action";
      text = ctcp.args;
    }
    const self = state.isMe(nick);
    const isChan = state.isChannel(target);
    // A private line is filed under the other person: the sender, or the target of our own echo.
    let room = isChan ? target : self ? target : nick;
    if (!isChan && nick === "" && kind === "NOTICE") room = "";
    if (!isChan && msg.source !== undefined && !msg.source.includes("!") && kind === "NOTICE") {
      // Server notices (source is a server name) are not a conversation.
      room = "";
    }
    const time = messageTime(msg, now);
    let history = inHistoryBatch(state, msg);
    if (!history && isChan && msg.tags.has("time")) {
      const r = state.room(target);
      if (r !== undefined && time.getTime() < r.joinedAt - HISTORY_SLACK_MS) history = true;
    }
    if (msgid !== undefined && isChan) {
      const key = foldCase(target);
      // History can arrive out of order; only a newer line moves the catch-up point.
      if (!history || time.getTime() >= (state.lastTime.get(key) ?? 0)) {
        state.lastMsgid.set(key, msgid);
        state.lastTime.set(key, time.getTime());
      }
    }
    const ev: MessageEvent = {
      type: "message",
      kind: k,
      time,
      room,
      nick,
      text,
      self,
      history,
      mention: !self && mentions(text, state.nick),
    };
    if (msgid !== undefined) ev.msgid = msgid;
    const account = msg.tags.get("account");
    if (account !== undefined && foldCase(account) === foldCase(nick)) ev.owned = true;
    return [ev];
  };
}

const join: Handler = (state, msg, now) => {
  const room = msg.params[0] ?? "";
  const nick = from(msg);
  const time = messageTime(msg, now);
  const self = state.isMe(nick);
  if (self) {
    state.addRoom(room, now);
    // A rejoin after reconnecting must not steal focus; a /join asked for does.
    const wanted = state.switchOnJoin;
    if (
      state.current === undefined ||
      (wanted !== undefined && foldCase(wanted) === foldCase(room))
    ) {
      state.current = room;
      state.switchOnJoin = undefined;
    }
  }
  state.room(room)?.members.set(foldCase(nick), nick);
  // extended-join: JOIN <room> <account> :<realname>
  if (msg.params.length >= 3) noteAccount(state, nick, msg.params[1] ?? "*");
  return [{ type: "join", time, room, nick, self, text: "" }];
};

const part: Handler = (state, msg, now) => {
  const room = msg.params[0] ?? "";
  const nick = from(msg);
  const self = state.isMe(nick);
  if (self) state.removeRoom(room);
  else state.room(room)?.members.delete(foldCase(nick));
  return [
    { type: "part", time: messageTime(msg, now), room, nick, self, text: msg.params[1] ?? "" },
  ];
};

const kick: Handler = (state, msg, now) => {
  const room = msg.params[0] ?? "";
  const target = msg.params[1] ?? "";
  const self = state.isMe(target);
  if (self) state.removeRoom(room);
  else state.room(room)?.members.delete(foldCase(target));
  return [
    {
      type: "kick",
      time: messageTime(msg, now),
      room,
      nick: from(msg),
      self,
      target,
      text: msg.params[2] ?? "",
    },
  ];
};

const quit: Handler = (state, msg, now) => {
  const nick = from(msg);
  const rooms = state.roomsOf(nick);
  for (const r of rooms) state.room(r)?.members.delete(foldCase(nick));
  noteAccount(state, nick, "*");
  return [{ type: "quit", time: messageTime(msg, now), nick, text: last(msg), rooms }];
};

const nickChange: Handler = (state, msg, now) => {
  const nick = from(msg);
  const newNick = msg.params[0] ?? "";
  const self = state.isMe(nick);
  const rooms = state.roomsOf(nick);
  for (const r of rooms) {
    const room = state.room(r);
    room?.members.delete(foldCase(nick));
    room?.members.set(foldCase(newNick), newNick);
  }
  if (self) state.nick = newNick;
  renameAccount(state, nick, newNick);
  return [{ type: "nick", time: messageTime(msg, now), nick, newNick, self, rooms }];
};

const topic: Handler = (state, msg, now) => {
  const room = msg.params[0] ?? "";
  const text = msg.params[1] ?? "";
  const r = state.room(room);
  if (r !== undefined) r.topic = text;
  return [{ type: "topic", time: messageTime(msg, now), room, nick: from(msg), text }];
};

const batch: Handler = (state, msg) => {
  const ref = msg.params[0] ?? "";
  if (ref.startsWith("+")) state.batches.set(ref.slice(1), msg.params[1] ?? "");
  else if (ref.startsWith("-")) state.batches.delete(ref.slice(1));
  return [];
};

const welcome: Handler = (state, msg) => {
  state.registered = true;
  if (msg.params[0] !== undefined && msg.params[0] !== "*") state.nick = msg.params[0];
  return [];
};

const isupport: Handler = (state, msg) => {
  for (const tok of msg.params.slice(1, -1)) {
    if (tok.startsWith("-")) {
      state.isupport.delete(tok.slice(1));
      continue;
    }
    const eq = tok.indexOf("=");
    if (eq === -1) state.isupport.set(tok, "");
    else state.isupport.set(tok.slice(0, eq), tok.slice(eq + 1));
  }
  return [];
};

const topicReply: Handler = (state, msg, now) => {
  const name = msg.params[1] ?? "";
  const text = last(msg);
  const r = state.room(name);
  if (r !== undefined) r.topic = text;
  return [{ type: "topic", time: new Date(now), room: name, text }];
};

const silent: Handler = () => [];

function info(format: (msg: IrcMessage) => string): Handler {
  return (_state, msg, now) => [{ type: "info", time: new Date(now), text: format(msg) }];
}

/** The parameters after our nick, with the trailing one last: what most replies mean to say. */
function restText(msg: IrcMessage): string {
  return msg.params.slice(1).join(" ");
}

const whoReply = info((m) => {
  // <client> <channel> <user> <host> <server> <nick> <flags> :<hopcount> <realname>
  const [, channel = "", user = "", host = "", , nick = "", flags = ""] = m.params;
  const realname = last(m).replace(/^\d+\s*/, "");
  const away = flags.startsWith("G") ? " (away)" : "";
  return `${channel} ${nick} (${user}@${host})${away} ${realname}`.trim();
});

const ERROR_TEXT: Partial<Record<string, string>> = {
  [ERR.PASSWDMISMATCH]: "wrong server password",
  [ERR.YOUREBANNEDCREEP]: "you are banned from this server",
};

/**
 * The refusals a guest meets most, in words that say what to do next; the
 * server's own text ("Cannot join channel (+b)") assumes IRC knowledge.
 */
const SUBJECT_TEXT: Partial<Record<string, (subject: string) => string>> = {
  [ERR.BANNEDFROMCHAN]: (room) => `you are banned from ${room}`,
  [ERR.NICKNAMEINUSE]: (nick) => `${nick} is taken: pick another with /nick NAME`,
  [ERR.ERRONEUSNICKNAME]: (nick) =>
    `${nick} cannot be a nickname: use letters, digits and - _ [ ] { } | ^ \`, not starting with a digit or -`,
  [ERR.INVITEONLYCHAN]: (room) => `${room} is invite-only: ask one of its operators to invite you`,
  [ERR.BADCHANNELKEY]: (room) => `${room} needs a key: /join ${room} KEY`,
  [ERR.CHANNELISFULL]: (room) => `${room} is full`,
  [ERR.CHANOPRIVSNEEDED]: (room) =>
    `only operators of ${room} can do that (they are marked @ in /names ${room})`,
  [ERR.CANNOTSENDTOCHAN]: (room) =>
    `your message did not reach ${room}: you are muted or banned there, or not in it`,
};

function errorReply(state: ClientState, msg: IrcMessage, now: number): ClientEvent[] {
  const worded = SUBJECT_TEXT[msg.command];
  const fixed =
    ERROR_TEXT[msg.command] ??
    (worded !== undefined && msg.params.length > 2 ? worded(msg.params[1] ?? "") : undefined);
  // Most errors are "<client> <subject> :<text>"; naming the subject makes them actionable.
  const subject = msg.params.length > 2 ? `${msg.params.slice(1, -1).join(" ")}: ` : "";
  const text = fixed ?? `${subject}${last(msg)}`;
  const ev: ClientEvent = { type: "error", time: new Date(now), text, code: msg.command };
  if (msg.command === ERR.PASSWDMISMATCH || msg.command === ERR.YOUREBANNEDCREEP) ev.fatal = true;
  if (msg.command === ERR.NICKNAMEINUSE && !state.registered) return [];
  return [ev];
}

/** FAIL <command> <code> [context...] :<description> (IRCv3 standard replies). */
const standardReply: Handler = (_state, msg, now) => {
  const text = `${msg.params[0] ?? ""}: ${last(msg)}`;
  if (msg.command === "FAIL")
    return [{ type: "error", time: new Date(now), text, code: msg.params[1] ?? "FAIL" }];
  return [{ type: "info", time: new Date(now), text }];
};

const errorLine: Handler = (_state, msg, now) => [
  { type: "error", time: new Date(now), text: `server closed the connection: ${last(msg)}` },
];

const mode: Handler = (state, msg, now) => {
  const target = msg.params[0] ?? "";
  const text = `${from(msg)} sets mode ${msg.params.slice(1).join(" ")}`;
  const ev: ClientEvent = { type: "info", time: messageTime(msg, now), text };
  if (state.isChannel(target)) ev.room = target;
  return [ev];
};

const invite: Handler = (_state, msg, now) => [
  {
    type: "info",
    time: messageTime(msg, now),
    text: `${from(msg)} invites you to ${msg.params[1] ?? ""} (type /join ${msg.params[1] ?? ""})`,
  },
];

/** MARKREAD <target> <timestamp=...|*>: where this user (on any device) has read up to. */
function readMarker(state: ClientState, msg: IrcMessage): ClientEvent[] {
  const key = foldCase(msg.params[0] ?? "");
  const value = msg.params[1] ?? "*";
  const time = value.startsWith("timestamp=") ? Date.parse(value.slice(10)) : Number.NaN;
  if (Number.isNaN(time)) state.readMarkers.delete(key);
  else if (time > (state.readMarkers.get(key) ?? 0)) state.readMarkers.set(key, time);
  return [];
}

export const handlers: Record<string, Handler> = {
  PRIVMSG: textMessage("PRIVMSG"),
  NOTICE: textMessage("NOTICE"),
  JOIN: join,
  PART: part,
  KICK: kick,
  QUIT: quit,
  NICK: nickChange,
  TOPIC: topic,
  BATCH: batch,
  MODE: mode,
  INVITE: invite,
  ERROR: errorLine,
  MARKREAD: readMarker,
  FAIL: standardReply,
  WARN: standardReply,
  NOTE: standardReply,
  PING: silent,
  PONG: silent,
  CAP: silent,
  AWAY: silent,
  CHGHOST: silent,
  [RPL.WELCOME]: welcome,
  [RPL.YOURHOST]: silent,
  [RPL.CREATED]: silent,
  [RPL.MYINFO]: silent,
  [RPL.ISUPPORT]: isupport,
  [RPL.TOPIC]: topicReply,
  [RPL.TOPICWHOTIME]: silent,
  [RPL.NOTOPIC]: (_s, msg, now) => [
    { type: "topic", time: new Date(now), room: msg.params[1] ?? "", text: "" },
  ],
  [RPL.WHOREPLY]: whoReply,
  [RPL.ENDOFWHOIS]: silent,
  [RPL.WHOISUSER]: info((m) => `${m.params[1]} is ${m.params[2]}@${m.params[3]} (${last(m)})`),
  [RPL.WHOISCHANNELS]: info((m) => `${m.params[1]} is in ${last(m)}`),
  [RPL.WHOISSERVER]: info((m) => `${m.params[1]} is on ${m.params[2]} (${last(m)})`),
  // The nick is the account: an owner using their own nick gets the ✓.
  [RPL.WHOISACCOUNT]: info((m) =>
    foldCase(m.params[1] ?? "") === foldCase(m.params[2] ?? "")
      ? `${m.params[1]} ✓ owns this nick`
      : `${m.params[1]} owns the nick ${m.params[2]}`,
  ),
  [RPL.WHOISIDLE]: info((m) => `${m.params[1]} has been idle ${m.params[2]} s`),
  [RPL.AWAY]: info((m) => `${m.params[1]} is away: ${last(m)}`),
  [RPL.UNAWAY]: info(last),
  [RPL.NOWAWAY]: info(last),
  [RPL.MOTDSTART]: silent,
  [RPL.MOTD]: info((m) => last(m).replace(/^- ?/, "")),
  [RPL.ENDOFMOTD]: silent,
  [RPL.LISTSTART]: silent,
  [RPL.LIST]: info((m) => `${m.params[1]} (${m.params[2]}) ${last(m)}`),
  [RPL.LISTEND]: silent,
  [RPL.INVITING]: info((m) => `invited ${m.params[1]} to ${m.params[2]}`),
  [RPL.CHANNELMODEIS]: info((m) => `${m.params[1]} modes ${m.params.slice(2).join(" ")}`),
  [RPL.CREATIONTIME]: silent,
  [ERR.NOMOTD]: silent, // no message of the day is not a problem worth a red line
  "900": silent, // RPL_LOGGEDIN
  ...memberHandlers,
};

/**
 * Apply one inbound line: update state and return what to show. Unknown verbs
 * are ignored; unknown numerics become info (2xx-3xx) or errors (4xx-5xx).
 */
export function handleLine(state: ClientState, msg: IrcMessage, now: number): ClientEvent[] {
  // A draft/multiline batch is one message: its lines wait for its end.
  const whole = collectMultiline(state, msg);
  if (whole === "held") return [];
  const line = whole ?? msg;
  // A search result (a multi-line one too) is a found line, not traffic.
  const found = foundMessage(state, line, now);
  if (found !== undefined) return [found];
  if (whole !== undefined) return handlers.PRIVMSG?.(state, whole, now) ?? [];
  const h = handlers[msg.command];
  if (h !== undefined) return h(state, msg, now);
  if (/^[45]\d\d$/.test(msg.command)) return errorReply(state, msg, now);
  if (/^\d{3}$/.test(msg.command)) {
    // Connection statistics and other chatter a person does not need to read.
    if (/^(25\d|26[56])$/.test(msg.command)) return [];
    return [{ type: "info", time: new Date(now), text: restText(msg) }];
  }
  return [];
}
