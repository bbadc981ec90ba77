/**
 * The send path: serialise, encode and queue a line on the current link;
 * JOIN lists packed into few lines; text split to fit IRC's 512 bytes, with a
 * local echo when the server will not echo it back; and the PING barrier that
 * tells when the server has taken everything sent before it.
 */
import { type IrcMessage, IrcSerializeError, message, serialize } from "../protocol/message.ts";
import { splitText } from "../protocol/text.ts";
import type { ClientEvent } from "./events.ts";
import type { Link } from "./link.ts";
import type { ClientState } from "./state.ts";
import { textBudget } from "./text.ts";

const encoder = new TextEncoder();
/** Room names per JOIN line, in characters: well inside 512 bytes with the command. */
const JOIN_LINE_CHARS = 400;

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
