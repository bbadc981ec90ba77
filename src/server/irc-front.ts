/**
 * The IRC front: parses each line, dispatches it through the command table
 * (handlers/index.ts), and serializes every outgoing event as IRC. Replies made
 * while a command runs are collected (the reply buffer) and queued as one chunk.
 */
import type { BusEvent, MessageEvent } from "../bus/events.ts";
import { escapeTagValue, type IrcMessage, IrcParseError, parse } from "../protocol/message.ts";
import { ERR, RPL } from "../protocol/numerics.ts";
import type { HistoryEntry } from "../store/store.ts";
import { ChatError, toNumeric } from "./errors.ts";
import type { Front, JoinedInfo } from "./front.ts";
import { V_MESSAGE_TAGS, V_SERVER_TIME } from "./front.ts";
import { COMMANDS } from "./handlers/index.ts";
import type { ChatServer } from "./server.ts";
import type { Session } from "./session.ts";

const encoder = new TextEncoder();

export interface CommandContext {
  server: ChatServer;
  session: Session;
  irc: IrcFront;
}

export interface CommandSpec {
  /** Syntax is documented at each handler. */
  handler: (ctx: CommandContext, msg: IrcMessage) => void;
  /** Fewer parameters than this: ERR_NEEDMOREPARAMS, checked once by the dispatcher. */
  minParams: number;
  /** Allowed before registration completes (otherwise ERR_NOTREGISTERED). */
  preRegistration?: boolean;
  /** Only IRC operators (otherwise ERR_NOPRIVILEGES). */
  operOnly?: boolean;
}

/** A middle parameter must be non-empty, without spaces, and not start with ':'. */
function middle(p: string): string {
  if (p === "") return "*";
  let out = p.includes(" ") ? p.replaceAll(" ", "_") : p;
  if (out.charCodeAt(0) === 58) out = `_${out.slice(1)}`;
  return out;
}

/** The last parameter, with a colon only where IRC needs one. */
function trailing(p: string): string {
  return p === "" || p.includes(" ") || p.charCodeAt(0) === 58 ? ` :${p}` : ` ${p}`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export class IrcFront implements Front {
  readonly kind = "irc";
  /** Replies gathered during one input line; undefined between lines (idle sessions hold no array). */
  private out: string[] | undefined;
  private depth = 0;

  /** Set right after construction (the session and its front refer to each other). */
  session!: Session;

  constructor(readonly server: ChatServer) {}

  get variant(): number {
    return this.session.variant;
  }

  start(): void {}

  // ------------------------------------------------------------ input

  line(text: string): void {
    let msg: IrcMessage;
    try {
      msg = parse(text);
    } catch (err) {
      if (err instanceof IrcParseError) return; // blank line: nothing to do
      throw err;
    }
    const s = this.session;
    this.depth++;
    try {
      if (!this.checkBodyLength(text, msg)) return;
      const spec = COMMANDS[msg.command];
      if (spec === undefined) {
        this.reply(ERR.UNKNOWNCOMMAND, middle(msg.command), "Unknown command");
        return;
      }
      if (!s.registered && spec.preRegistration !== true) {
        this.reply(ERR.NOTREGISTERED, "You have not registered");
        return;
      }
      if (msg.params.length < spec.minParams) {
        this.reply(ERR.NEEDMOREPARAMS, msg.command, "Not enough parameters");
        return;
      }
      if (spec.operOnly === true && !s.oper) {
        this.error(new ChatError("noPrivileges"));
        return;
      }
      try {
        spec.handler({ server: this.server, session: s, irc: this }, msg);
      } catch (err) {
        if (!(err instanceof ChatError)) throw err;
        this.error(err);
      }
    } finally {
      this.depth--;
      if (this.depth === 0) this.flushReplies();
    }
  }

  /** The body (without tags) is limited to 512 bytes with CR LF, per RFC 1459. */
  private checkBodyLength(text: string, msg: IrcMessage): boolean {
    const limit = this.server.limits.maxBodyBytes - 2;
    let body = text;
    if (msg.tags.size > 0 && text.charCodeAt(0) === 64) {
      const space = text.indexOf(" ");
      // Client tags are capped at 4094 bytes so relayed lines, with our tags added,
      // stay within the 8191 bytes every IRCv3 client accepts.
      if (space > 4095 && Buffer.byteLength(text.slice(0, space)) > 4095) {
        this.inputTooLong();
        return false;
      }
      body = text.slice(space + 1);
    }
    if (body.length <= limit / 3) return true;
    if (Buffer.byteLength(body) <= limit) return true;
    this.inputTooLong();
    return false;
  }

  inputTooLong(): void {
    this.reply(ERR.INPUTTOOLONG, "Input line was too long");
  }

  // ------------------------------------------------------------ replies

  /** Queue a numeric to this client: `:server NNN nick params...`. */
  reply(numeric: string, ...params: string[]): void {
    const s = this.session;
    let line = `:${this.server.serverName} ${numeric} ${s.nick ?? "*"}`;
    const last = params.length - 1;
    for (let i = 0; i < last; i++) line += ` ${middle(params[i] as string)}`;
    // Always a colon, as InspIRCd and ngIRCd do: clients and bots that take the
    // text after " :" (RPL_TOPIC, RPL_AWAY, 319 channel lists) break without it.
    if (last >= 0) line += ` :${params[last] as string}`;
    this.raw(line);
  }

  /** Queue one already-safe IRC line (no CR LF). */
  raw(line: string): void {
    if (this.out === undefined) this.out = [line];
    else this.out.push(line);
    if (this.depth === 0) this.flushReplies();
  }

  /** Queue a message from `source` (default: the server) with optional trailing. */
  msg(command: string, params: string[], source = this.server.serverName): void {
    let line = `:${source} ${command}`;
    const last = params.length - 1;
    for (let i = 0; i < last; i++) line += ` ${middle(params[i] as string)}`;
    if (last >= 0) line += ` :${params[last] as string}`;
    this.raw(line);
  }

  flushReplies(): void {
    const out = this.out;
    if (out === undefined || out.length === 0) return;
    this.out = undefined;
    const text = `${out.join("\r\n")}\r\n`;
    this.session.conn.send(encoder.encode(text));
  }

  error(err: ChatError): void {
    const { numeric, params } = toNumeric(err);
    this.reply(numeric, ...params);
  }

  notice(text: string): void {
    this.msg("NOTICE", [this.session.nick ?? "*", text]);
  }

  farewell(reason: string): Uint8Array {
    this.flushReplies();
    return encoder.encode(`ERROR :Closing link: ${this.session.host} (${reason})\r\n`);
  }

  // ------------------------------------------------------------ output of events

  /** Tags for a line: `time` for server-time, `msgid` and client tags for message-tags. */
  private tagPrefix(
    variant: number,
    time: number,
    msgid?: string,
    clientTags?: [string, string][],
    batch?: string,
  ): string {
    const parts: string[] = [];
    if (batch !== undefined) parts.push(`batch=${batch}`);
    if (variant & V_SERVER_TIME) parts.push(`time=${isoTime(time)}`);
    if (variant & V_MESSAGE_TAGS) {
      if (msgid !== undefined) parts.push(`msgid=${msgid}`);
      if (clientTags !== undefined) {
        for (const [k, v] of clientTags) parts.push(v === "" ? k : `${k}=${escapeTagValue(v)}`);
      }
    }
    return parts.length === 0 ? "" : `@${parts.join(";")} `;
  }

  private eventLine(ev: BusEvent): string {
    switch (ev.type) {
      case "message":
        return `:${ev.source} ${ev.command} ${ev.target} :${ev.text}`;
      case "join":
        return `:${ev.source} JOIN ${ev.channel}`;
      case "part":
        return ev.reason === undefined
          ? `:${ev.source} PART ${ev.channel}`
          : `:${ev.source} PART ${ev.channel} :${ev.reason}`;
      case "kick":
        return `:${ev.source} KICK ${ev.channel} ${ev.victim} :${ev.reason}`;
      case "topic":
        return `:${ev.source} TOPIC ${ev.channel} :${ev.text}`;
      case "mode": {
        const last = ev.modes.length - 1;
        const params = ev.modes.map((m, i) => (i === last ? trailing(m) : ` ${middle(m)}`));
        return `:${ev.source} MODE ${ev.channel}${params.join("")}`;
      }
      case "invite":
        return `:${ev.source} INVITE ${ev.invitee} ${ev.channel}`;
      case "quit":
        return `:${ev.source} QUIT :${ev.text}`;
      case "nick":
        return `:${ev.source} NICK ${ev.text}`;
      case "away":
        return ev.text === "" ? `:${ev.source} AWAY` : `:${ev.source} AWAY :${ev.text}`;
    }
  }

  render(ev: BusEvent): Uint8Array | null {
    const v = this.session.variant;
    const tags =
      ev.type === "message"
        ? this.tagPrefix(v, ev.time, ev.msgid, ev.clientTags)
        : this.tagPrefix(v, ev.time);
    return encoder.encode(`${tags}${this.eventLine(ev)}\r\n`);
  }

  /** A TAGMSG line; the caller sends it only to message-tags clients. */
  renderTagmsg(
    source: string,
    target: string,
    msgid: string,
    time: number,
    clientTags: [string, string][],
  ): Uint8Array {
    const tags = this.tagPrefix(this.session.variant, time, msgid, clientTags);
    return encoder.encode(`${tags}:${source} TAGMSG ${target}\r\n`);
  }

  direct(ev: MessageEvent): Uint8Array | null {
    return this.render(ev);
  }

  joined(info: JoinedInfo): void {
    if (info.topic !== undefined) {
      this.reply(RPL.TOPIC, info.channel, info.topic.text);
      this.reply(
        RPL.TOPICWHOTIME,
        info.channel,
        info.topic.setBy,
        String(Math.floor(info.topic.setAt / 1000)),
      );
    }
    this.names(info);
  }

  /** RPL_NAMREPLY lines (split to stay under the line limit) and RPL_ENDOFNAMES. */
  names(info: JoinedInfo): void {
    const s = this.session;
    const full = s.hasCap("userhost-in-names");
    const head = `:${this.server.serverName} ${RPL.NAMREPLY} ${s.nick ?? "*"} = ${info.channel} :`;
    // Bytes, not characters: a room name may be non-ASCII.
    const budget = 480 - Buffer.byteLength(head);
    let line = "";
    for (const m of info.members) {
      const item = m.prefix + (full ? m.userhost : m.nick);
      if (line !== "" && line.length + item.length + 1 > budget) {
        this.raw(head + line);
        line = "";
      }
      line = line === "" ? item : `${line} ${item}`;
    }
    if (line !== "") this.raw(head + line);
    this.reply(RPL.ENDOFNAMES, info.channel, "End of /NAMES list");
  }

  replay(channel: string, entries: readonly HistoryEntry[]): void {
    const s = this.session;
    const v = s.variant;
    let batch: string | undefined;
    if (s.hasCap("batch")) {
      batch = `h${this.server.newMsgid().replace(/[^A-Za-z0-9]/g, "")}`;
      this.raw(`:${this.server.serverName} BATCH +${batch} chathistory ${channel}`);
    } else {
      // Without a batch nothing tells a client these lines are old; a person (or
      // a bot that reads notices) at least sees where the replay starts and ends.
      this.raw(
        `:${this.server.serverName} NOTICE ${channel} :Replaying the last ${entries.length} messages of ${channel}`,
      );
    }
    for (const e of entries) {
      this.raw(
        `${this.tagPrefix(v, e.time, e.msgid, undefined, batch)}:${e.source} ${e.command} ${e.target} :${e.text}`,
      );
    }
    if (batch !== undefined) this.raw(`:${this.server.serverName} BATCH -${batch}`);
    else this.raw(`:${this.server.serverName} NOTICE ${channel} :End of replay; live from here`);
  }
}
