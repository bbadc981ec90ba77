/**
 * One client's session with a server, across reconnects: the phase machine
 * (connecting, registering, ready, waiting to retry, closed), what ends the
 * session for good and what is retried, and the API the UI and pipe mode use
 * (say, send, join, barrier, quit).
 *
 * The parts live beside it: link.ts (one socket attempt), liveness.ts
 * (silence and registration timers), registration.ts (CAP, nick fallback),
 * catch-up.ts (CHATHISTORY), outbox.ts (lines typed while offline),
 * sender.ts (the send path), reconnect.ts (backoff), ending.ts (why a
 * session ends), ctcp.ts; the meaning of each inbound line is in
 * handlers.ts and the state model in state.ts. Everything the user should see
 * leaves through `onEvent`.
 */
import { FatalError } from "../cli/usage-error.ts";
import { foldCase } from "../protocol/casemap.ts";
import { type IrcMessage, message } from "../protocol/message.ts";
import { ERR } from "../protocol/numerics.ts";
import { nickOf } from "../protocol/text.ts";
import { CatchUp } from "./catch-up.ts";
import type { ConnectionOptions } from "./connection-options.ts";
import { CtcpResponder } from "./ctcp.ts";
import { afterClose, fatalError, isJoinRefusal, refusal } from "./ending.ts";
import type { ClientEvent } from "./events.ts";
import { handleLine } from "./handlers.ts";
import { Link, type LinkEvents } from "./link.ts";
import { Liveness } from "./liveness.ts";
import { accountsQuery } from "./members.ts";
import { canSendMultiline, multilineMessages } from "./multiline.ts";
import { Outbox } from "./outbox.ts";
import { Reconnect } from "./reconnect.ts";
import { isNickRefusal, Registration } from "./registration.ts";
import { Sender } from "./sender.ts";
import { ClientState } from "./state.ts";

export type { ConnectionOptions } from "./connection-options.ts";
export type { TlsTrust } from "./link.ts";

type Phase = "idle" | "connecting" | "registering" | "ready" | "waiting" | "closed";

interface Deferred {
  resolve(): void;
  reject(err: Error): void;
}

export class ClientConnection {
  readonly state: ClientState;
  private phase: Phase = "idle";
  /** Numbers our own draft/multiline batch references. */
  private batchSeq = 0;
  private link: Link | undefined;
  private everRegistered = false;
  private quitting = false;
  /** The ERROR or numeric that explains why the server is about to close. */
  private closeReason: string | undefined;
  private fatalReason: string | undefined;
  private startWaiter: Deferred | undefined;
  private closedWaiters: (() => void)[] = [];
  private readonly firstChannel: string;
  private readonly registration: Registration;
  private readonly catchUp: CatchUp;
  private readonly outbox: Outbox;
  private readonly liveness: Liveness;
  private readonly retry = new Reconnect();
  private readonly ctcp: CtcpResponder;
  private readonly sender: Sender;

  constructor(private readonly opts: ConnectionOptions) {
    this.state = new ClientState(opts.nick);
    if (opts.secret !== undefined) this.state.secret = opts.secret;
    this.firstChannel = opts.channels[0] ?? "";
    this.registration = new Registration(this.state, opts);
    this.catchUp = new CatchUp(
      this.state,
      { send: (m) => this.send(m), status: (t) => this.status(t) },
      opts.catchUpLimit,
    );
    this.outbox = new Outbox({
      ready: () => this.phase === "ready",
      barrier: () => this.barrier(),
      say: (l) => this.say(l.target, l.text, l.action),
    });
    this.liveness = new Liveness(
      { registerMs: opts.registerTimeoutMs ?? 30_000, idleMs: opts.idleMs ?? 90_000 },
      {
        registered: () => this.state.registered,
        noWelcome: (why) => {
          if (this.everRegistered) this.closeReason = why;
          else this.fatalReason ??= why;
          this.link?.terminate();
        },
        ping: () => this.send(message("PING", ["chat-idle"])),
        dead: (why) => {
          this.closeReason = why;
          this.link?.terminate();
        },
      },
    );
    this.ctcp = new CtcpResponder(this.state);
    this.sender = new Sender({
      state: this.state,
      link: () => this.link,
      emit: (ev) => this.emit(ev),
      noteSent: (m) => this.registration.noteSent(m),
      overflow: () => {
        this.closeReason = "could not write to the server";
        this.link?.end();
      },
    });
  }

  get where(): string {
    const h = this.opts.host.includes(":") ? `[${this.opts.host}]` : this.opts.host;
    return `${h}:${this.opts.port}`;
  }

  get connected(): boolean {
    return this.phase === "ready";
  }

  /**
   * Connect, register and join the first room. Rejects with FatalError (one
   * line for the user) when that cannot happen; later drops are retried.
   */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.startWaiter = { resolve, reject };
      void this.open();
    });
  }

  private emit(ev: ClientEvent): void {
    this.opts.onEvent(ev);
  }

  private status(text: string): void {
    this.emit({ type: "status", time: new Date(), text });
  }

  private open(): Promise<void> {
    this.phase = "connecting";
    this.closeReason = undefined;
    this.link?.abandon();
    const events: LinkEvents = {
      connected: () => this.liveness.start(this.where),
      ready: () => this.onReady(),
      heard: () => this.liveness.heard(),
      message: (msg) => this.onMessage(msg),
      error: (text) => {
        this.closeReason ??= text;
      },
      refused: (reason) => {
        this.fatalReason = reason;
      },
      closed: () => this.onLinkClosed(),
      failed: (reason) => this.connectFailed(reason),
    };
    const { host, port, tls } = this.opts;
    const connectTimeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    this.link = new Link(
      { host, port, where: this.where, connectTimeoutMs, ...(tls ? { tls } : {}) },
      events,
    );
    return this.link.connect();
  }

  private onReady(): void {
    this.phase = "registering";
    this.state.registered = false;
    this.state.caps.clear();
    this.state.isupport.clear();
    this.state.batches.clear();
    this.catchUp.reset();
    for (const m of this.registration.begin()) this.send(m);
  }

  private connectFailed(reason: string): void {
    this.phase = "closed";
    if (!this.everRegistered) {
      this.finish(reason);
      return;
    }
    this.phase = "waiting";
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.quitting) return;
    this.retry.schedule(() => void this.open());
  }

  /** End for good: reject start() or tell the owner. */
  private finish(reason: string): void {
    this.phase = "closed";
    const w = this.startWaiter;
    this.startWaiter = undefined;
    if (w !== undefined) w.reject(new FatalError(reason));
    else if (!this.quitting) this.opts.onClose?.(reason);
    for (const f of this.closedWaiters.splice(0)) f();
  }

  private onLinkClosed(): void {
    this.liveness.stop();
    this.sender.linkClosed();
    if (this.phase === "closed") return;
    const next = afterClose({
      beforeRegistering: this.phase === "connecting",
      wasReady: this.phase === "ready",
      quitting: this.quitting,
      fatalReason: this.fatalReason,
      closeReason: this.closeReason,
      everRegistered: this.everRegistered,
      reconnect: this.opts.reconnect,
      where: this.where,
    });
    if (next.kind === "finish") {
      this.finish(next.reason);
      return;
    }
    // Before the status line: whoever redraws on it (the prompt's "(offline)") must see us offline.
    this.phase = "waiting";
    if (next.announce !== undefined) {
      this.status(next.announce);
      this.retry.reset();
    }
    this.scheduleRetry();
  }

  /** Connection plumbing first; then the line's meaning (handlers.ts) and its events. */
  private onMessage(msg: IrcMessage): void {
    const now = Date.now();
    if (this.plumbing(msg)) return;
    const wasRegistered = this.state.registered;
    const events = handleLine(this.state, msg, now);
    this.catchUp.count(msg, events);
    const regain = this.registration.regainNick(msg);
    if (regain !== undefined) this.send(regain);
    if (!wasRegistered && this.state.registered) this.onRegistered();

    if (msg.command === "JOIN" && this.state.isMe(nickOf(msg.source ?? ""))) this.onSelfJoin(msg);
    if (isJoinRefusal(msg.command)) this.onJoinRefused(msg);
    for (const ev of events) {
      if (ev.type === "message" && ev.found !== true) {
        this.sender.messageSeen(ev.nick, ev.text, ev.time, ev.history, ev.self);
      }
      if (ev.type === "error" && ev.fatal) continue; // reported once, as the close reason
      this.emit(ev);
    }
  }

  /** Lines about the link itself. True when the line is fully handled here. */
  private plumbing(msg: IrcMessage): boolean {
    const sasl = this.registration.onSaslReply(msg, (text) => this.status(text));
    if (sasl !== undefined) {
      for (const m of sasl) this.send(m);
      return true;
    }
    switch (msg.command) {
      case "PING":
        this.send(message("PONG", msg.params));
        return true;
      case "PONG":
        this.sender.pong(msg.params[msg.params.length - 1] ?? "");
        return true;
      case "CAP":
        for (const m of this.registration.onCap(msg)) this.send(m);
        return true;
      case "ERROR":
        // The goodbye after our own QUIT is not news. Otherwise it is not shown by
        // itself: it becomes the one line that explains the close.
        if (this.quitting) return true;
        this.closeReason = msg.params[msg.params.length - 1] ?? "closed";
        this.fatalReason ??= fatalError(
          this.closeReason,
          this.where,
          this.state.nick,
          this.everRegistered,
        );
        return true;
      case ERR.PASSWDMISMATCH:
      case ERR.YOUREBANNEDCREEP:
        this.fatalReason = refusal(msg, this.where, this.opts.password !== undefined);
        return false;
      case "BATCH":
        this.catchUp.onBatch(msg);
        return false;
      case "PRIVMSG": {
        const reply = this.ctcp.answer(msg);
        if (reply !== undefined) this.send(reply);
        return false;
      }
      case "FAIL":
        // Handled by asking again: the refusal is not the user's problem.
        return msg.params[0]?.toUpperCase() === "CHATHISTORY" && this.catchUp.refused();
    }
    if (isNickRefusal(msg.command) && !this.state.registered) {
      const next = this.registration.onNickRefused(msg, this.where);
      if ("send" in next) this.send(next.send);
      else {
        this.fatalReason = next.giveUp;
        this.link?.end();
      }
      return true;
    }
    return false;
  }

  private onRegistered(): void {
    this.phase = "ready";
    const rejoin = [...this.state.rooms.values()].map((r) => r.name);
    if (!this.everRegistered) {
      this.everRegistered = true;
      const notice = this.registration.fallbackNotice(this.where);
      if (notice !== undefined) this.status(notice);
      this.join(this.opts.channels);
      return;
    }
    this.retry.reset();
    this.status(`reconnected to ${this.where} as ${this.state.nick}`);
    for (const m of this.registration.restore()) this.send(m);
    this.catchUp.remember(rejoin);
    // Rooms are rebuilt from the JOIN echoes and NAMES replies of the new session.
    this.state.rooms.clear();
    this.join(rejoin.length > 0 ? rejoin : this.opts.channels);
    this.outbox.awaitRejoin(rejoin);
  }

  private onSelfJoin(msg: IrcMessage): void {
    const room = msg.params[0] ?? "";
    this.catchUp.joined(room);
    const who = accountsQuery(this.state, room);
    if (who !== undefined) this.send(who);
    this.outbox.rejoined(room);
    if (this.startWaiter !== undefined && foldCase(room) === foldCase(this.firstChannel)) {
      const w = this.startWaiter;
      this.startWaiter = undefined;
      w.resolve();
    }
  }

  private onJoinRefused(msg: IrcMessage): void {
    const chan = msg.params[1] ?? "";
    this.outbox.rejoined(chan);
    // The room `chat join` was asked for is the point of the session: without it, stop.
    if (this.startWaiter !== undefined && foldCase(chan) === foldCase(this.firstChannel)) {
      this.fatalReason = `cannot join ${chan}: ${msg.params[msg.params.length - 1] ?? ""}`;
      this.link?.end();
    }
  }

  /** JOIN several rooms in as few lines as fit. */
  join(channels: string[], key?: string): void {
    this.sender.join(channels, key);
  }

  /** Queue one message; false (and an error event) when it cannot be sent. */
  send(msg: IrcMessage): boolean {
    return this.sender.send(msg);
  }

  /**
   * Say something to a room or nick: split to fit, and shown locally when the
   * server will not echo it back. Returns the number of lines sent.
   */
  say(target: string, text: string, action = false): number {
    if (this.phase === "ready") return this.sender.privmsg(target, text, action);
    // A blip should not eat what the user typed: hold it until we are back.
    const canHold = this.opts.reconnect && this.everRegistered && !this.quitting;
    if (canHold && this.outbox.hold({ target, text, action })) {
      const info = `not connected right now; will send when reconnected: ${text}`;
      this.emit({ type: "info", time: new Date(), text: info });
    } else {
      const error = `not connected to ${this.where} right now; not sent: ${text}`;
      this.emit({ type: "error", time: new Date(), text: error });
    }
    return 0;
  }

  /**
   * Say several lines (a paste): one draft/multiline message where the server
   * takes it, else one message a line. Returns the number of messages sent.
   */
  sayLines(target: string, lines: readonly string[]): number {
    const batch = this.phase === "ready" && lines.length >= 2;
    if (batch && canSendMultiline(this.state, { target, lines })) {
      const messages = multilineMessages(this.state, target, lines, `ml${++this.batchSeq}`);
      if (!messages.every((m) => this.send(m))) return 0;
      this.sender.sentCount++;
      this.sender.noteUnechoed(lines.join("\n"));
      return 1;
    }
    let sent = 0;
    for (const l of lines) if (l.trim() !== "") sent += this.say(target, l);
    return sent;
  }

  /**
   * Resolves once the server has answered a PING sent now: everything sent
   * before it has been processed (and echoed, with echo-message).
   */
  barrier(): Promise<void> {
    return this.sender.barrier();
  }

  /** Own lines sent, and how many came back by echo-message (pipe mode checks delivery). */
  get sentCount(): number {
    return this.sender.sentCount;
  }

  get echoedCount(): number {
    return this.sender.echoedCount;
  }

  /** Send QUIT and wait (bounded) for the server to close; then we are done. */
  async quit(reason = ""): Promise<void> {
    if (this.phase === "closed") return;
    this.quitting = true;
    this.retry.cancel();
    const link = this.link;
    if (link?.writable !== true) {
      link?.abandon();
      this.phase = "closed";
      return;
    }
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    this.send(message("QUIT", reason === "" ? [] : [reason]));
    const timer = setTimeout(() => link.end(), 3000);
    await closed;
    clearTimeout(timer);
  }

  /** Drop the link now (tests, fatal errors). */
  close(): void {
    this.quitting = true;
    this.liveness.stop();
    this.retry.cancel();
    this.link?.abandon();
    this.phase = "closed";
  }
}
