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
  V_MULTILINE,
  V_SERVER_TIME,
} from "../../core/api.ts";
import { escapeTagValue, type IrcMessage, IrcParseError, parse } from "../../protocol/message.ts";
import { ERR, RPL } from "../../protocol/numerics.ts";
import { batchRef } from "./batch.ts";
import { COMMANDS } from "./commands.ts";
import type { IrcReplies, SaslState } from "./context.ts";
import { toNumeric } from "./errors.ts";
import { failBatch } from "./handlers/batch.ts";
import { renamedFallback } from "./handlers/rename.ts";
import { MultilineBatches } from "./multiline.ts";
import { middle, renderEvent } from "./render.ts";
import { type LabelFrame, ReplyBuffer } from "./replies.ts";
import { fail } from "./standard-replies.ts";

/** labeled-response: a longer label is ignored (the spec caps it at 64 bytes). */
const MAX_LABEL_BYTES = 64;

const encoder = new TextEncoder();

/** A line waiting behind a command that waits: its text, or a non-UTF-8 line's. */
type HeldLine = string | { invalidUtf8: string };

/** An IRC front's rarely set state (see `IrcFront.rare`). */
class IrcFrontRare {
  password: string | undefined;
  sasl: SaslState | undefined;
  held: HeldLine[] | undefined;
  parked = false;
  multiline: MultilineBatches | undefined;
}

export class IrcFront implements Front, IrcReplies {
  /** CAP negotiation in progress: registration waits for CAP END. */
  capNegotiating = false;
  capVersion = 0;
  /** The running command's replies; undefined between commands. */
  private replies: ReplyBuffer | undefined;
  private depth = 0;
  /**
   * PASS, SASL, held lines and multiline batches: one object made at the first of them,
   * as few connections use any (each field is 8 bytes in every connection's front).
   */
  private rare: IrcFrontRare | undefined;

  constructor(readonly core: CoreApi) {}

  get kind(): "irc" {
    return "irc";
  }

  private extras(): IrcFrontRare {
    if (this.rare === undefined) this.rare = new IrcFrontRare();
    return this.rare;
  }

  /** Made at the first client BATCH: most connections never open one. */
  get multiline(): MultilineBatches {
    const rare = this.extras();
    if (rare.multiline === undefined) rare.multiline = new MultilineBatches();
    return rare.multiline;
  }

  /** PASS, kept until registration checks it. */
  get password(): string | undefined {
    return this.rare?.password;
  }
  set password(text: string | undefined) {
    if (text !== undefined || this.rare !== undefined) this.extras().password = text;
  }

  get sasl(): SaslState | undefined {
    return this.rare?.sasl;
  }
  set sasl(state: SaslState | undefined) {
    if (state !== undefined || this.rare !== undefined) this.extras().sasl = state;
  }

  /**
   * Lines that arrived while a command was still waiting (OPER's password
   * check): run in order once it is done, so replies come in command order.
   */
  private get held(): HeldLine[] | undefined {
    return this.rare?.held;
  }
  private set held(lines: HeldLine[] | undefined) {
    if (lines !== undefined || this.rare !== undefined) this.extras().held = lines;
  }

  /** The command that made `held` keeps its reply buffer until it is done (parked). */
  private get parked(): boolean {
    return this.rare?.parked ?? false;
  }
  private set parked(on: boolean) {
    if (on || this.rare !== undefined) this.extras().parked = on;
  }

  variant(): number {
    let v = 0;
    if (this.core.hasCap("server-time")) v |= V_SERVER_TIME;
    if (this.core.hasCap("message-tags")) v |= V_MESSAGE_TAGS;
    if (this.core.hasCap("draft/multiline") && this.core.hasCap("batch")) v |= V_MULTILINE;
    if (this.core.hasCap("account-tag")) v |= V_ACCOUNT_TAG;
    if (this.core.hasCap("extended-join")) v |= V_EXTENDED_JOIN;
    return v;
  }

  start(): void {}

  line(text: string, invalidUtf8 = false): void {
    if (this.held !== undefined) {
      this.held.push(invalidUtf8 ? { invalidUtf8: text } : text);
      return;
    }
    if (invalidUtf8) {
      this.refuseInvalidUtf8(text);
      return;
    }
    let msg: IrcMessage;
    try {
      msg = parse(text);
    } catch (err) {
      if (err instanceof IrcParseError) return; // blank line: nothing to do
      throw err;
    }
    this.begin(this.labelOf(msg));
    try {
      if (this.checkBodyLength(text, msg)) this.dispatch(msg);
    } finally {
      this.end();
    }
  }

  private dispatch(msg: IrcMessage): void {
    const core = this.core;
    // A line of an open draft/multiline batch is collected, not run.
    const ref = msg.tags.get("batch");
    if (ref !== undefined && msg.command !== "BATCH" && this.rare?.multiline?.has(ref) === true) {
      const fail = this.multiline.add(msg);
      if (fail !== undefined) failBatch({ core, irc: this }, fail);
      return;
    }
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

  /**
   * UTF8ONLY: a line that was not UTF-8 is refused whole, never relayed with
   * replacement characters, with the FAIL the IRCv3 UTF8ONLY spec gives.
   */
  private refuseInvalidUtf8(text: string): void {
    let command = "*";
    let label: LabelFrame | undefined;
    try {
      const msg = parse(text);
      command = msg.command;
      // labeled-response: the FAIL is this command's response, so it carries the
      // label, unless the label's own bytes were the ones that were not UTF-8.
      if (!msg.tags.get("label")?.includes("\uFFFD")) label = this.labelOf(msg);
    } catch (err) {
      if (!(err instanceof IrcParseError)) throw err;
    }
    this.begin(label);
    try {
      fail(
        this,
        command,
        "INVALID_UTF8",
        [],
        "Message rejected, your IRC software MUST use UTF-8 encoding on this network",
      );
    } finally {
      this.end();
    }
  }

  /**
   * Hold this client's later lines until `pending` settles, then run them in
   * order. The waiting command's reply buffer stays open (parked) so its late
   * answer is part of the same reply (one labeled response).
   */
  private hold(pending: Promise<void>): void {
    this.held = [];
    this.parked = true;
    const resume = (): void => {
      const queue = this.held ?? [];
      this.held = undefined;
      this.parked = false;
      this.flushReplies();
      for (let i = 0; i < queue.length; i++) {
        try {
          const next = queue[i] as HeldLine;
          if (typeof next === "string") this.line(next);
          else this.line(next.invalidUtf8, true);
        } catch {
          this.core.disconnect("Internal server error");
          return;
        }
        // A held line that waits again keeps the rest behind it.
        const again = this.held as HeldLine[] | undefined;
        if (again !== undefined) {
          again.push(...queue.slice(i + 1));
          return;
        }
      }
    };
    pending.then(resume, resume);
  }

  /** The labeled-response frame for a command tagged `label`, if the client asked for it. */
  private labelOf(msg: IrcMessage): LabelFrame | undefined {
    const label = msg.tags.get("label");
    if (label === undefined || label === "" || !this.core.hasCap("labeled-response")) return;
    if (Buffer.byteLength(label) > MAX_LABEL_BYTES) return;
    const core = this.core;
    return {
      tag: `label=${escapeTagValue(label)}`,
      server: core.server.name,
      batch: core.hasCap("batch"),
      ref: () => batchRef(core.newId()),
    };
  }

  /** Start collecting: replies and the core's output to us wait for the command's end. */
  private begin(label?: LabelFrame): void {
    if (this.depth++ === 0) {
      this.replies = new ReplyBuffer(label);
      this.core.capture(this.replies);
    }
  }

  private end(): void {
    if (--this.depth !== 0) return;
    this.core.capture(undefined);
    if (!this.parked) this.flushReplies();
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

  renamed(from: string, to: string, reason: string): void {
    const ctx = { core: this.core, irc: this };
    // While OPER waits, these lines are no part of its reply: they go out at
    // once, and the parked buffer (with its label) stays as it was.
    if (this.parked) {
      const parked = this.replies;
      this.replies = undefined;
      try {
        renamedFallback(ctx, from, to, reason);
      } finally {
        this.replies = parked;
      }
      return;
    }
    // Collected and written as one piece, like a command's replies.
    this.begin();
    try {
      renamedFallback(ctx, from, to, reason);
    } finally {
      this.end();
    }
  }

  monitor(online: boolean, targets: readonly string[]): void {
    const list = targets.join(",");
    this.reply(online ? RPL.MONONLINE : RPL.MONOFFLINE, list);
  }

  render(ev: BusEvent): Uint8Array {
    return renderEvent(ev, this.variant());
  }
}

export const ircFront: FrontFactory = (core) => new IrcFront(core);
