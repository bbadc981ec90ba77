/**
 * The page's IRC session over a WebSocket to the server it came from:
 * registration with capabilities, the inbound table (verb -> model change),
 * reconnect with backoff and catch-up (CHATHISTORY AFTER the newest line of
 * each conversation), and older history on demand (CHATHISTORY BEFORE).
 */
import { actionText, format, type IrcMessage, isChannel, parse } from "./irc.ts";
import { plainChunks, SASL_DONE } from "./sasl.ts";
import type { ChatState, Conversation, Line } from "./state.ts";

const WANTED = [
  "message-tags",
  "server-time",
  "echo-message",
  "batch",
  "draft/chathistory",
  "away-notify",
  "multi-prefix",
  "sasl",
  "draft/read-marker",
];
/** Lines asked for per history page. */
export const PAGE = 50;
const TYPING_MS = 6000;

export interface SessionEvents {
  /** Something in the model changed. */
  changed(): void;
  /** A live mention or DM arrived from someone else. */
  alert(c: Conversation, line: Line): void;
  /** Registered: `nick` is ours now. */
  registered(nick: string): void;
  /** The secret that proves (or first claims) `nick`, kept by the page. */
  secret(nick: string): string;
}

interface Batch {
  readonly target: string;
  count: number;
  readonly before: boolean;
}

type Handler = (s: Session, m: IrcMessage) => void;

export class Session {
  private ws: WebSocket | undefined;
  private wantNick: string;
  private registeredOnce = false;
  private registered = false;
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly batches = new Map<string, Batch>();
  /** Targets with a CHATHISTORY BEFORE in flight (their next batch is a page of older lines). */
  private readonly older = new Set<string>();
  /** Rooms the user asked to join: the first JOIN back selects the room. */
  readonly pendingSelect = new Set<string>();
  caps = new Set<string>();
  /** CAP LS names gathered over its lines, until the last. */
  capLs: string[] = [];

  constructor(
    readonly state: ChatState,
    private readonly events: SessionEvents,
    nick: string,
    private readonly url: string,
  ) {
    this.wantNick = nick;
  }

  get online(): boolean {
    return this.registered;
  }

  connect(): void {
    clearTimeout(this.retryTimer);
    if (this.ws !== undefined && this.ws.readyState <= WebSocket.OPEN) return;
    this.state.status = this.registeredOnce ? "reconnecting" : "connecting";
    const ws = new WebSocket(this.url, ["text.ircv3.net"]);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.raw("CAP LS 302");
      this.raw(format("NICK", [this.wantNick]));
      this.raw(format("USER", [this.wantNick.toLowerCase(), "0", "*", this.wantNick]));
    };
    ws.onmessage = (e) => {
      if (typeof e.data === "string") this.receive(e.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.registered = false;
      this.state.status = "offline: reconnecting";
      for (const c of this.state.conversations.values()) c.joined = false;
      this.events.changed();
      // Backoff, capped: a restarting server is back within seconds.
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  /** The network came back (or the tab woke up): try now instead of waiting. */
  nudge(): void {
    if (this.ws === undefined) this.connect();
  }

  raw(line: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(line);
  }

  send(command: string, params: string[], tags?: Map<string, string>): void {
    this.raw(format(command, params, tags));
  }

  /** The user has seen `c` up to its newest line: tell the server (and our other devices). */
  markRead(c: Conversation): void {
    if (!this.registered || !this.caps.has("draft/read-marker") || c.kind === "server") return;
    const time = this.state.unmarked(c);
    if (time === undefined) return;
    c.readUpTo = time;
    this.send("MARKREAD", [c.name, `timestamp=${new Date(time).toISOString()}`]);
  }

  /** Ask for the page of lines before the oldest one shown. */
  loadOlder(c: Conversation): void {
    if (!this.registered || c.historyDone || c.loadingOlder || c.kind === "server") return;
    const oldest = this.state.oldestMsgid(c);
    if (oldest === undefined) return;
    c.loadingOlder = true;
    this.older.add(c.key);
    this.send("CHATHISTORY", ["BEFORE", c.name, `msgid=${oldest}`, String(PAGE)]);
  }

  /** What was missed (or, the first time, the latest page) for one conversation. */
  catchUp(c: Conversation): void {
    if (!this.caps.has("draft/chathistory")) return;
    const newest = this.state.newestMsgid(c);
    if (newest === undefined) this.send("CHATHISTORY", ["LATEST", c.name, "*", String(PAGE)]);
    else this.send("CHATHISTORY", ["AFTER", c.name, `msgid=${newest}`, "100"]);
  }

  receive(text: string): void {
    const m = parse(text);
    const h = HANDLERS[m.command];
    if (h !== undefined) h(this, m);
    else if (/^[45]\d\d$/.test(m.command)) this.error(m.params.slice(1).join(" "));
    else if (/^\d{3}$/.test(m.command)) this.serverLine(m.params.slice(1).join(" "));
    this.events.changed();
  }

  private serverLine(text: string, kind: Line["kind"] = "event"): void {
    this.state.add(this.state.ensure("*server", "server"), line(kind, "", text), false);
  }

  error(text: string): void {
    const c = this.state.conversations.get(this.state.current) ?? this.state.ensure("*server");
    this.state.add(c, line("error", "", text), false);
  }

  /** The batch a line belongs to, if any (history lines are not live). */
  private batchOf(m: IrcMessage): Batch | undefined {
    const id = m.tags.get("batch");
    return id === undefined ? undefined : this.batches.get(id);
  }

  /** PRIVMSG, NOTICE and TAGMSG go to the room, or to the DM with the other person. */
  private conversationFor(m: IrcMessage): Conversation {
    const target = m.params[0] ?? "";
    if (isChannel(target)) return this.state.ensure(target);
    if (m.nick === "" || m.nick.includes(".") || !this.registered) {
      return this.state.ensure("*server", "server");
    }
    const other = m.nick.toLowerCase() === this.state.nick.toLowerCase() ? target : m.nick;
    const c = this.state.ensure(other, "dm");
    c.name = other;
    return c;
  }

  // ---- the inbound table's handlers

  static message(s: Session, m: IrcMessage): void {
    const raw = m.params[1] ?? "";
    const action = actionText(raw);
    const c = s.conversationFor(m);
    const batch = s.batchOf(m);
    if (batch !== undefined) batch.count++;
    const mine = m.nick.toLowerCase() === s.state.nick.toLowerCase();
    const text = action ?? raw;
    const l: Line = {
      time: m.tags.has("time") ? Date.parse(m.tags.get("time") as string) : Date.now(),
      kind: action !== undefined ? "action" : m.command === "NOTICE" ? "notice" : "message",
      nick: m.nick,
      text,
      ...(m.tags.has("msgid") ? { msgid: m.tags.get("msgid") as string } : {}),
      mention: !mine && s.state.mentions(text),
    };
    c.typing.delete(m.nick);
    const live = batch === undefined;
    if (s.state.add(c, l, live) && live && !mine && (l.mention || c.kind === "dm")) {
      s.events.alert(c, l);
    }
  }

  static tagmsg(s: Session, m: IrcMessage): void {
    const typing = m.tags.get("+typing");
    if (typing === undefined || s.batchOf(m) !== undefined) return;
    const c = s.conversationFor(m);
    if (typing === "active") c.typing.set(m.nick, Date.now() + TYPING_MS);
    else c.typing.delete(m.nick);
  }

  static cap(s: Session, m: IrcMessage): void {
    const sub = m.params[1];
    const list = (m.params[m.params.length - 1] ?? "").split(" ").map((c) => c.split("=")[0]);
    if (sub === "LS") {
      // CAP LS 302 may span lines: `CAP * LS * :...` until the last, which has no `*`.
      for (const c of list) if (c !== undefined) s.capLs.push(c);
      if (m.params[2] === "*") return;
      const offered = s.capLs.splice(0);
      const want = WANTED.filter((c) => offered.includes(c));
      if (want.length > 0) s.send("CAP", ["REQ", want.join(" ")]);
      else s.raw("CAP END");
    } else if (sub === "ACK") {
      for (const c of list) if (c !== undefined) s.caps.add(c);
      // Registration waits for the proof: CAP END comes after 903 (or a failure).
      if (!s.registered && list.includes("sasl")) s.raw("AUTHENTICATE PLAIN");
      else if (!s.registered) s.raw("CAP END");
    } else if (sub === "NAK" && !s.registered) s.raw("CAP END");
  }

  /** The server's `AUTHENTICATE +`: the nick we ask for and its secret. */
  static authenticate(s: Session, m: IrcMessage): void {
    if (m.params[0] !== "+") return;
    for (const chunk of plainChunks(s.wantNick, s.events.secret(s.wantNick))) {
      s.send("AUTHENTICATE", [chunk]);
    }
  }

  /** SASL is over, proven or not: a refused nick then falls back to nick_ at registration. */
  static saslDone(s: Session, m: IrcMessage): void {
    if (m.command !== "903") s.error(`could not prove your nick: ${m.params.at(-1) ?? ""}`);
    if (!s.registered) s.raw("CAP END");
  }

  /** `MARKREAD <target> timestamp=...|*`: after a JOIN, or another device read further. */
  static markread(s: Session, m: IrcMessage): void {
    const value = m.params[1] ?? "*";
    if (!value.startsWith("timestamp=")) return;
    const time = Date.parse(value.slice(10));
    const c = s.state.get(m.params[0] ?? "");
    if (c === undefined || Number.isNaN(time)) return;
    s.state.markRead(c, time);
    s.events.changed();
  }

  static welcome(s: Session, m: IrcMessage): void {
    s.registered = true;
    s.registeredOnce = true;
    s.state.nick = m.params[0] ?? s.wantNick;
    s.wantNick = s.state.nick;
    s.state.status = "online";
    s.serverLine(m.params[1] ?? "");
    s.events.registered(s.state.nick);
    const rooms = [...s.state.conversations.values()].filter((c) => c.kind === "room");
    if (rooms.length > 0) s.send("JOIN", [rooms.map((c) => c.name).join(",")]);
    for (const c of s.state.conversations.values()) if (c.kind === "dm") s.catchUp(c);
  }

  static nickInUse(s: Session, m: IrcMessage): void {
    if (s.registered) {
      s.error(m.params.slice(1).join(" "));
      return;
    }
    // Still registering: try the next free-looking variant.
    s.wantNick = `${s.wantNick.slice(0, 28)}_`;
    s.send("NICK", [s.wantNick]);
  }

  static join(s: Session, m: IrcMessage): void {
    const c = s.state.ensure(m.params[0] ?? "");
    if (m.nick.toLowerCase() === s.state.nick.toLowerCase()) {
      c.joined = true;
      c.members.clear();
      if (s.pendingSelect.delete(c.key)) s.state.select(c.name);
      s.catchUp(c);
      return;
    }
    c.members.add(m.nick);
    s.state.add(c, line("event", m.nick, `${m.nick} joined`, m), false);
  }

  static part(s: Session, m: IrcMessage): void {
    const c = s.state.ensure(m.params[0] ?? "");
    const who = m.command === "KICK" ? (m.params[1] ?? "") : m.nick;
    const why = m.params[m.command === "KICK" ? 2 : 1];
    if (who.toLowerCase() === s.state.nick.toLowerCase()) c.joined = false;
    c.members.delete(who);
    const verb = m.command === "KICK" ? `was kicked by ${m.nick}` : "left";
    s.state.add(c, line("event", who, `${who} ${verb}${why ? ` (${why})` : ""}`, m), false);
  }

  static quit(s: Session, m: IrcMessage): void {
    for (const c of s.state.conversations.values()) {
      if (!c.members.delete(m.nick)) continue;
      const why = m.params[0];
      s.state.add(c, line("event", m.nick, `${m.nick} quit${why ? ` (${why})` : ""}`, m), false);
    }
  }

  static nick(s: Session, m: IrcMessage): void {
    const to = m.params[0] ?? "";
    const me = m.nick.toLowerCase() === s.state.nick.toLowerCase();
    if (me) {
      s.state.nick = to;
      s.wantNick = to;
      s.events.registered(to);
    }
    for (const c of s.state.renamed(m.nick, to)) {
      if (c.kind === "room") s.state.add(c, line("event", to, `${m.nick} is now ${to}`, m), false);
    }
    if (me) s.serverLine(`You are now ${to}`);
  }

  static names(s: Session, m: IrcMessage): void {
    const c = s.state.ensure(m.params[2] ?? "");
    for (const n of (m.params[3] ?? "").split(" ")) {
      const name = n.replace(/^[@+]+/, "").split("!")[0];
      if (name) c.members.add(name);
    }
  }

  static topic(s: Session, m: IrcMessage): void {
    if (m.command === "332") {
      s.state.ensure(m.params[1] ?? "").topic = m.params[2] ?? "";
      return;
    }
    const c = s.state.ensure(m.params[0] ?? "");
    c.topic = m.params[1] ?? "";
    s.state.add(c, line("event", m.nick, `${m.nick} set the topic: ${c.topic}`, m), false);
  }

  static batch(s: Session, m: IrcMessage): void {
    const ref = m.params[0] ?? "";
    if (ref.startsWith("+")) {
      const target = m.params[2] ?? "";
      const c = s.state.ensure(target);
      const before = s.older.delete(c.key);
      s.batches.set(ref.slice(1), { target, count: 0, before });
      return;
    }
    const b = s.batches.get(ref.slice(1));
    s.batches.delete(ref.slice(1));
    if (b === undefined) return;
    const c = s.state.ensure(b.target);
    if (b.before) {
      c.loadingOlder = false;
      if (b.count < PAGE) c.historyDone = true;
    }
  }

  static away(s: Session, m: IrcMessage): void {
    if (m.command === "301") {
      const c = s.state.ensure(m.params[1] ?? "", "dm");
      s.state.add(c, line("event", "", `${m.params[1]} is away: ${m.params[2] ?? ""}`), false);
    } else s.serverLine(m.params[1] ?? "");
  }

  /** "MOTD File is missing" is a server fact, not an error about what was typed. */
  static motd(s: Session, m: IrcMessage): void {
    s.serverLine(m.params[1] ?? "");
  }

  static ping(s: Session, m: IrcMessage): void {
    s.send("PONG", [m.params[0] ?? ""]);
  }

  static fail(s: Session, m: IrcMessage): void {
    if (m.params[0] === "CHATHISTORY") {
      for (const c of s.state.conversations.values()) c.loadingOlder = false;
      s.older.clear();
    }
    s.error(m.params[m.params.length - 1] ?? "");
  }

  static serverError(s: Session, m: IrcMessage): void {
    s.serverLine(m.params[0] ?? "", "error");
  }
}

/** A local line; with the message it reports, at the server's time for it. */
function line(kind: Line["kind"], nick: string, text: string, m?: IrcMessage): Line {
  const t = m?.tags.get("time");
  return { time: t === undefined ? Date.now() : Date.parse(t), kind, nick, text, mention: false };
}

/** The inbound table: verb or numeric -> handler. Unlisted numerics go to the server tab. */
const HANDLERS: Readonly<Record<string, Handler>> = {
  PRIVMSG: Session.message,
  NOTICE: Session.message,
  TAGMSG: Session.tagmsg,
  CAP: Session.cap,
  AUTHENTICATE: Session.authenticate,
  MARKREAD: Session.markread,
  ...Object.fromEntries(SASL_DONE.map((n) => [n, Session.saslDone])),
  "900": () => {},
  "001": Session.welcome,
  "433": Session.nickInUse,
  "422": Session.motd,
  "432": Session.nickInUse,
  JOIN: Session.join,
  PART: Session.part,
  KICK: Session.part,
  QUIT: Session.quit,
  NICK: Session.nick,
  "353": Session.names,
  "366": () => {},
  "332": Session.topic,
  "333": () => {},
  TOPIC: Session.topic,
  BATCH: Session.batch,
  "301": Session.away,
  "305": Session.away,
  "306": Session.away,
  PING: Session.ping,
  PONG: () => {},
  FAIL: Session.fail,
  ERROR: Session.serverError,
  MODE: () => {},
  AWAY: () => {},
};
