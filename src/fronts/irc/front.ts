/**
 * The IRC front: parses each line, dispatches it through the command table
 * (commands.ts), and speaks IRC for the core. It holds only the `CoreApi` of
 * its connection, so the same front serves IRC over TCP, TLS and WebSocket.
 *
 * A command's replies, and whatever the core sends this connection while it
 * runs, go into one reply buffer written when the command ends.
 */

import type { BusEvent } from "../../core/api.ts";
import {
  ChatError,
  type CoreApi,
  type Front,
  type FrontFactory,
  V_ACCOUNT_TAG,
  V_EXTENDED_JOIN,
  V_MESSAGE_TAGS,
  V_SERVER_TIME,
} from "../../core/api.ts";
import { type IrcMessage, IrcParseError, parse } from "../../protocol/message.ts";
import { ERR } from "../../protocol/numerics.ts";
import { COMMANDS } from "./commands.ts";
import type { IrcReplies, SaslState } from "./context.ts";
import { toNumeric } from "./errors.ts";
import { middle, renderEvent } from "./render.ts";
import { ReplyBuffer } from "./replies.ts";

const encoder = new TextEncoder();

export class IrcFront implements Front, IrcReplies {
  readonly kind = "irc";
  /** CAP negotiation in progress: registration waits for CAP END. */
  capNegotiating = false;
  capVersion = 0;
  /** PASS, kept until registration checks it. */
  password: string | undefined;
  sasl: SaslState | undefined;
  /** The running command's replies; undefined between commands. */
  private replies: ReplyBuffer | undefined;
  private depth = 0;
  /**
   * Lines that arrived while a command was still waiting (OPER's password
   * check): run in order once it is done, so replies come in command order.
   */
  private held: string[] | undefined;

  constructor(readonly core: CoreApi) {}

  variant(): number {
    let v = 0;
    if (this.core.hasCap("server-time")) v |= V_SERVER_TIME;
    if (this.core.hasCap("message-tags")) v |= V_MESSAGE_TAGS;
    if (this.core.hasCap("account-tag")) v |= V_ACCOUNT_TAG;
    if (this.core.hasCap("extended-join")) v |= V_EXTENDED_JOIN;
    return v;
  }

  start(): void {}

  line(text: string): void {
    if (this.held !== undefined) {
      this.held.push(text);
      return;
    }
    let msg: IrcMessage;
    try {
      msg = parse(text);
    } catch (err) {
      if (err instanceof IrcParseError) return; // blank line: nothing to do
      throw err;
    }
    this.begin();
    try {
      if (this.checkBodyLength(text, msg)) this.dispatch(msg);
    } finally {
      this.end();
    }
  }

  private dispatch(msg: IrcMessage): void {
    const core = this.core;
    const spec = COMMANDS[msg.command];
    if (spec === undefined) {
      this.reply(ERR.UNKNOWNCOMMAND, middle(msg.command), "Unknown command");
      return;
    }
    if (!core.registered && spec.preRegistration !== true) {
      this.reply(ERR.NOTREGISTERED, "You have not registered");
      return;
    }
    if (msg.params.length < spec.minParams) {
      this.reply(ERR.NEEDMOREPARAMS, msg.command, "Not enough parameters");
      return;
    }
    if (spec.operOnly === true && !core.oper) {
      this.error(new ChatError("noPrivileges"));
      return;
    }
    try {
      const pending = spec.handler({ core, irc: this }, msg);
      if (pending !== undefined) this.hold(pending);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.error(err);
    }
  }

  /** Hold this client's later lines until `pending` settles, then run them in order. */
  private hold(pending: Promise<void>): void {
    this.held = [];
    const resume = (): void => {
      const queue = this.held ?? [];
      this.held = undefined;
      for (let i = 0; i < queue.length; i++) {
        try {
          this.line(queue[i] as string);
        } catch {
          this.core.disconnect("Internal server error");
          return;
        }
        // A held line that waits again keeps the rest behind it.
        const again = this.held as string[] | undefined;
        if (again !== undefined) {
          again.push(...queue.slice(i + 1));
          return;
        }
      }
    };
    pending.then(resume, resume);
  }

  /** Start collecting: replies and the core's output to us wait for the command's end. */
  private begin(): void {
    if (this.depth++ === 0) {
      this.replies = new ReplyBuffer();
      this.core.capture(this.replies);
    }
  }

  private end(): void {
    if (--this.depth !== 0) return;
    this.core.capture(undefined);
    this.flushReplies();
  }

  /** The body (without tags) is limited to 512 bytes with CR LF, per RFC 1459. */
  private checkBodyLength(text: string, msg: IrcMessage): boolean {
    const limit = this.core.server.limits.maxBodyBytes - 2;
    let body = text;
    if (msg.tags.size > 0 && text.charCodeAt(0) === 64) {
      const space = text.indexOf(" ");
      // Client tags are capped at 4094 bytes so relayed lines, with our tags added,
      // stay within the 8191 bytes every IRCv3 client accepts.
      if (space > 4095 && Buffer.byteLength(text.slice(0, space)) > 4095) {
        this.overlong();
        return false;
      }
      body = text.slice(space + 1);
    }
    if (body.length <= limit / 3) return true;
    if (Buffer.byteLength(body) <= limit) return true;
    this.overlong();
    return false;
  }

  overlong(): void {
    this.reply(ERR.INPUTTOOLONG, "Input line was too long");
  }

  // ------------------------------------------------------------ replies

  /** Queue a numeric to this client: `:server NNN nick params...`. */
  reply(numeric: string, ...params: string[]): void {
    let line = `:${this.core.server.name} ${numeric} ${this.core.nick ?? "*"}`;
    const last = params.length - 1;
    for (let i = 0; i < last; i++) line += ` ${middle(params[i] as string)}`;
    // Always a colon, as InspIRCd and ngIRCd do: clients and bots that take the
    // text after " :" (RPL_TOPIC, RPL_AWAY, 319 channel lists) break without it.
    if (last >= 0) line += ` :${params[last] as string}`;
    this.raw(line);
  }

  /** Queue one already-safe IRC line (no CR LF). */
  raw(line: string): void {
    if (this.replies !== undefined) {
      this.replies.line(line);
      return;
    }
    // Outside a command (an OPER answer arriving later): at once.
    this.core.write(encoder.encode(`${line}\r\n`));
  }

  /** Queue a message from `source` (default: the server) with a trailing last parameter. */
  msg(command: string, params: string[], source = this.core.server.name): void {
    let line = `:${source} ${command}`;
    const last = params.length - 1;
    for (let i = 0; i < last; i++) line += ` ${middle(params[i] as string)}`;
    if (last >= 0) line += ` :${params[last] as string}`;
    this.raw(line);
  }

  private flushReplies(): void {
    const replies = this.replies;
    this.replies = undefined;
    replies?.flush((bytes) => this.core.write(bytes));
  }

  error(err: ChatError): void {
    const { numeric, params } = toNumeric(err);
    this.reply(numeric, ...params);
    if (err.code === "nickClaimed") {
      const nick = err.subject[0] ?? "*";
      this.msg("NOTE", [
        "NICK",
        "CLAIMED",
        nick,
        `${nick} is claimed. If it is yours, prove it with SASL PLAIN (username ${nick}, password: your secret); otherwise choose another nick`,
      ]);
    }
  }

  notice(text: string): void {
    this.msg("NOTICE", [this.core.nick ?? "*", text]);
  }

  ping(): Uint8Array {
    return encoder.encode(`PING :${this.core.server.name}\r\n`);
  }

  farewell(reason: string): Uint8Array {
    // What the command said so far goes out before the connection closes.
    this.core.capture(undefined);
    this.flushReplies();
    return encoder.encode(`ERROR :Closing link: ${this.core.host} (${reason})\r\n`);
  }

  render(ev: BusEvent): Uint8Array {
    return renderEvent(ev, this.variant());
  }
}

export const ircFront: FrontFactory = (core) => new IrcFront(core);
