/**
 * The send path: serialise, encode and queue a line on the current link;
 * JOIN lists packed into few lines; text split to fit IRC's 512 bytes, with a
 * local echo when the server will not echo it back; and the PING barrier that
 * tells when the server has taken everything sent before it.
 */
import { foldCase } from "../protocol/casemap.ts";
import { type IrcMessage, IrcSerializeError, message, serialize } from "../protocol/message.ts";
import { splitText } from "../protocol/text.ts";
import type { ClientEvent } from "./events.ts";
import type { Link } from "./link.ts";
import type { ClientState } from "./state.ts";
import { textBudget } from "./text.ts";

const encoder = new TextEncoder();
/** Room names per JOIN line, in characters: well inside 512 bytes with the command. */
const JOIN_LINE_CHARS = 400;
/** Own lines remembered while they wait for an echo. */
const UNECHOED_CAP = 10_000;
/** How far behind our clock a server's timestamp on our own line may be. */
const CLOCK_SLACK_MS = 5_000;

export interface SenderContext {
  state: ClientState;
  /** The link lines go to now, if any. */
  link(): Link | undefined;
  emit(ev: ClientEvent): void;
  /** Seen on every line sent, before it goes (what the user chose to keep across reconnects). */
  noteSent(msg: IrcMessage): void;
  /** The socket would not take more: the link is hopeless. */
  overflow(): void;
}

export class Sender {
  /** Own lines sent, and how many came back by echo-message. */
  sentCount = 0;
  echoedCount = 0;
  /**
   * Own texts sent and not echoed yet, oldest first, with the (folded) nick
   * they went out under. A node that dies between taking a line and echoing it
   * leaves the line in history: the catch-up after the reconnect then confirms
   * it (see `messageSeen`), even if we are back under another nick for now.
   * Bounded: past the cap the oldest simply stay unconfirmed.
   */
  private readonly unechoed: { text: string; nick: string; at: number }[] = [];
  private readonly pings = new Map<string, () => void>();
  private pingSeq = 0;

  constructor(private readonly ctx: SenderContext) {}

  /** Queue one message; false (and an error event when it is malformed) when not sent. */
  send(msg: IrcMessage): boolean {
    this.ctx.noteSent(msg);
    let line: string;
    try {
      line = serialize(msg);
    } catch (e) {
      if (e instanceof IrcSerializeError) {
        this.ctx.emit({ type: "error", time: new Date(), text: `cannot send that: ${e.message}` });
        return false;
      }
      throw e;
    }
    const written = this.ctx.link()?.write(encoder.encode(`${line}\r\n`)) ?? "offline";
    if (written === "overflow") this.ctx.overflow();
    return written === "queued";
  }

  /** JOIN several rooms in as few lines as fit. */
  join(channels: string[], key?: string): void {
    const list = channels.filter((c) => c !== "");
    if (list.length === 0) return;
    if (key !== undefined) {
      this.send(message("JOIN", [list.join(","), key]));
      return;
    }
    let batch: string[] = [];
    for (const c of list) {
      if (batch.join(",").length + c.length > JOIN_LINE_CHARS) {
        this.send(message("JOIN", [batch.join(",")]));
        batch = [];
      }
      batch.push(c);
    }
    if (batch.length > 0) this.send(message("JOIN", [batch.join(",")]));
  }

  /** PRIVMSG text, split to fit; returns the number of lines sent. */
  privmsg(target: string, text: string, action: boolean): number {
    const { state } = this.ctx;
    const oneLine = text.replace(/[\0\r\n]/g, " ");
    const budget = textBudget(state.nick, target) - (action ? 9 : 0);
    let sent = 0;
    for (const piece of splitText(oneLine, budget)) {
      const body = action ? `\x01ACTION ${piece}\x01` : piece;
      if (!this.send(message("PRIVMSG", [target, body]))) break;
      sent++;
      this.sentCount++;
      this.noteUnechoed(piece);
      if (!state.caps.has("echo-message")) {
        this.ctx.emit({
          type: "message",
          kind: action ? "action" : "privmsg",
          time: new Date(),
          room: target,
          nick: state.nick,
          text: piece,
          self: true,
          history: false,
          mention: false,
        });
      }
    }
    return sent;
  }

  /** One more own message is waiting for its echo. */
  noteUnechoed(text: string): void {
    if (this.unechoed.length >= UNECHOED_CAP) this.unechoed.shift();
    this.unechoed.push({ text, nick: foldCase(this.ctx.state.nick), at: Date.now() });
  }

  /**
   * A message arrived. Live, our own is the echo of the oldest line sent. As
   * replayed history, a line from the nick we sent it under (we may be back as
   * another nick while the old one is still held) confirms a line sent no
   * earlier, allowing for a server clock a little behind ours, whose echo was
   * lost with the link.
   */
  messageSeen(nick: string, text: string, time: Date, history: boolean, self: boolean): void {
    const pending = this.unechoed;
    if (!history) {
      if (!self) return;
      this.echoedCount++;
      const i = pending.findIndex((p) => p.text === text);
      pending.splice(Math.max(i, 0), 1);
      return;
    }
    const who = foldCase(nick);
    const i = pending.findIndex(
      (p) => p.text === text && p.nick === who && time.getTime() >= p.at - CLOCK_SLACK_MS,
    );
    if (i < 0) return;
    pending.splice(i, 1);
    this.echoedCount++;
  }

  /**
   * Resolves once the server has answered a PING sent now: everything sent
   * before it has been processed (and echoed, with echo-message).
   */
  barrier(): Promise<void> {
    const token = `chat-${++this.pingSeq}`;
    return new Promise<void>((resolve) => {
      if (this.ctx.link()?.writable !== true) {
        resolve();
        return;
      }
      this.pings.set(token, resolve);
      this.send(message("PING", [token]));
    });
  }

  /** A PONG arrived: the barrier waiting for its token is through. */
  pong(token: string): void {
    const done = this.pings.get(token);
    if (done === undefined) return;
    this.pings.delete(token);
    done();
  }

  /** The link closed: nothing more will be answered, so no barrier waits any longer. */
  linkClosed(): void {
    for (const [, resolve] of this.pings) resolve();
    this.pings.clear();
  }
}
