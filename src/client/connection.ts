/**
 * One client's link to a server: Bun.connect (plain or TLS), line framing, a
 * send queue that honours partial writes, IRCv3 registration, nick fallback,
 * PING replies, and, once registered, reconnection with backoff that rejoins
 * the rooms and fetches what was missed (CHATHISTORY AFTER the last msgid).
 *
 * Everything the user should see leaves through `onEvent`; the state model and
 * the meaning of each inbound line live in state.ts and handlers.ts.
 */

import type { PeerCertificate } from "node:tls";
import type { Socket } from "bun";
import { FatalError } from "../cli/usage-error.ts";
import { foldCase } from "../protocol/casemap.ts";
import { LineFramer } from "../protocol/framing.ts";
import {
  type IrcMessage,
  IrcParseError,
  IrcSerializeError,
  message,
  parse,
  serialize,
} from "../protocol/message.ts";
import { ERR } from "../protocol/numerics.ts";
import { VERSION } from "../version.ts";
import type { ClientEvent, MessageEvent } from "./events.ts";
import { handleLine, nickOf } from "./handlers.ts";
import { SendQueue } from "./send-queue.ts";
import { ClientState } from "./state.ts";
import { fallbackNick, splitText, textBudget } from "./text.ts";

/** Capabilities we ask for when the server offers them. */
export const WANTED_CAPS = [
  "server-time",
  "echo-message",
  "batch",
  "message-tags",
  "chathistory",
  "draft/chathistory",
  "multi-prefix",
  "away-notify",
] as const;

/**
 * The seam for TLS trust (the security module decides): given what the
 * handshake produced, resolve undefined to proceed or a message to refuse.
 */
export interface TlsTrust {
  /** Passed to Bun.connect's `tls` (SNI; chain checks are left to `verify`). */
  options: { rejectUnauthorized: false; serverName?: string };
  verify(
    socket: { getPeerCertificate(): PeerCertificate | object | null | undefined },
    chainError: Error | null,
  ): Promise<string | undefined>;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  nick: string;
  username: string;
  realname: string;
  password?: string;
  /** Rooms to join after registering. */
  channels: string[];
  tls?: TlsTrust;
  /** Retry after a drop (interactive mode); otherwise a drop ends the session. */
  reconnect: boolean;
  onEvent(ev: ClientEvent): void;
  /** The session is over (fatal error, or the link dropped without reconnect). */
  onClose?(reason: string): void;
  connectTimeoutMs?: number;
  /** How many missed messages to ask for per room after a reconnect. */
  catchUpLimit?: number;
  /** Give up on a server that accepts TCP but never welcomes us. */
  registerTimeoutMs?: number;
  /** Silence after which we PING the server; twice this and the link is dead. */
  idleMs?: number;
}

type Phase = "idle" | "connecting" | "registering" | "ready" | "waiting" | "closed";

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000] as const;
const JOIN_ERRORS = new Set<string>([
  ERR.NOSUCHCHANNEL,
  ERR.TOOMANYCHANNELS,
  ERR.CHANNELISFULL,
  ERR.INVITEONLYCHAN,
  ERR.BANNEDFROMCHAN,
  ERR.BADCHANNELKEY,
  ERR.BADCHANMASK,
]);

const encoder = new TextEncoder();
/** Lines of recent history shown on joining a room. */
const JOIN_HISTORY = 50;
/** Pages of CHATHISTORY AFTER fetched after a reconnect before giving up on the rest. */
const MAX_CATCHUP_PAGES = 20;
/** Typed lines held while reconnecting; beyond this they are refused, not silently dropped. */
const MAX_OUTBOX = 100;

interface Deferred {
  resolve(): void;
  reject(err: Error): void;
}

export class ClientConnection {
  readonly state: ClientState;
  private phase: Phase = "idle";
  private socket: Socket<undefined> | undefined;
  private queue: SendQueue | undefined;
  private framer = new LineFramer();
  private capLs: string[] = [];
  private nickAttempt = 0;
  /** The user's /away message, set again after a reconnect; undefined when here. */
  private awayText: string | undefined;
  /** The server called our nick invalid (not merely taken) while registering. */
  private nickRefused = false;
  private everRegistered = false;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private quitting = false;
  /** The ERROR or numeric that explains why the server is about to close. */
  private closeReason: string | undefined;
  private fatalReason: string | undefined;
  private startWaiter: Deferred | undefined;
  private closedWaiters: (() => void)[] = [];
  private pings = new Map<string, () => void>();
  private pingSeq = 0;
  private connId = 0;
  /** Rooms to catch up once rejoined, with the msgid to fetch after. */
  private catchUp = new Map<string, string>();
  /** The nick the user chose; after a fallback (nick_) we take it back when it frees up. */
  private wantNick: string;
  /** folded room -> the catch-up request in flight (page size, page number). */
  private paging = new Map<
    string,
    { limit: number; page: number; total: number; room: string; byMsgid: boolean }
  >();
  /** Open history batches: reference -> room and lines received so far. */
  private openBatches = new Map<
    string,
    { room: string; count: number; shown: number; lastId?: string }
  >();
  private firstChannel: string;
  /** Lines typed while reconnecting, sent once we are back. */
  private outbox: { target: string; text: string; action: boolean }[] = [];
  private outboxTimer: ReturnType<typeof setTimeout> | undefined;
  /** Rooms (folded) still to be rejoined after a reconnect. */
  private awaitingRejoin = new Set<string>();
  private registerTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private lastCtcpReply = 0;
  private idlePinged = false;
  /** Own lines sent since the last barrier, and how many came back by echo-message. */
  sentCount = 0;
  echoedCount = 0;

  constructor(private readonly opts: ConnectionOptions) {
    this.state = new ClientState(opts.nick);
    this.wantNick = opts.nick;
    this.firstChannel = opts.channels[0] ?? "";
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

  private async open(): Promise<void> {
    this.phase = "connecting";
    this.framer = new LineFramer();
    this.capLs = [];
    this.closeReason = undefined;
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Callbacks from an abandoned attempt (timed out, superseded) must not touch this one.
    const id = ++this.connId;
    const live = (): boolean => id === this.connId;
    const tls = this.opts.tls;
    try {
      const connecting = Bun.connect<undefined>({
        hostname: this.opts.host,
        port: this.opts.port,
        // Trust is decided in `handshake` by the security module (TOFU, --fp).
        ...(tls !== undefined ? { tls: tls.options } : {}),
        socket: {
          open: (s) => {
            if (!live()) {
              s.end();
              return;
            }
            this.watch(s);
            if (tls === undefined) this.onOpen(s);
          },
          handshake: (s, ok, authError) => {
            if (live()) void this.onHandshake(s, ok, authError);
          },
          data: (_s, data) => {
            if (live()) this.onData(data);
          },
          drain: () => {
            if (live()) this.queue?.flush();
          },
          close: (s) => {
            if (live()) this.onSocketClose(s);
          },
          error: (s, err) => {
            if (live()) this.closeReason ??= err.message;
            s.end();
          },
          connectError: () => {},
        },
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.connId++;
          reject(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }));
        }, timeoutMs);
      });
      await Promise.race([connecting, timeout]);
    } catch (err) {
      if (id !== this.connId && !(err as { code?: string }).code?.startsWith("ETIMEDOUT")) return;
      this.connectFailed(describeConnectError(err, this.where, timeoutMs));
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private async onHandshake(
    s: Socket<undefined>,
    ok: boolean,
    authError: Error | null,
  ): Promise<void> {
    const tls = this.opts.tls;
    if (tls === undefined) return;
    const cert = s.getPeerCertificate() as { raw?: unknown } | null | undefined;
    if (!ok && (cert === null || cert === undefined || cert.raw === undefined)) {
      // No certificate at all: the handshake itself failed (often: the server does not speak TLS).
      this.fatalReason = `TLS handshake with ${this.where} failed (${authError?.message ?? "no certificate"}); is TLS enabled there? Try without --tls`;
      s.end();
      return;
    }
    let refusal: string | undefined;
    try {
      refusal = await tls.verify(s, authError);
    } catch (err) {
      refusal = `TLS check of ${this.where} failed: ${(err as Error).message}`;
    }
    if (refusal !== undefined) {
      this.fatalReason = refusal;
      s.end();
      return;
    }
    this.onOpen(s);
  }

  /**
   * Timers for links that go quiet: a server that never welcomes us, and a peer
   * that vanished without closing (no FIN after a network change). Unref'd, so
   * they never keep a finished pipe-mode process alive.
   */
  private watch(s: Socket<undefined>): void {
    this.unwatch();
    const registerMs = this.opts.registerTimeoutMs ?? 30_000;
    this.registerTimer = setTimeout(() => {
      if (this.state.registered) return;
      const why = `${this.where} did not answer as a chat server within ${duration(registerMs)}`;
      if (this.everRegistered) this.closeReason = why;
      else this.fatalReason ??= why;
      s.terminate();
    }, registerMs);
    this.registerTimer.unref?.();
    const idleMs = this.opts.idleMs ?? 90_000;
    this.lastHeard = Date.now();
    this.idlePinged = false;
    this.idleTimer = setInterval(
      () => {
        const quiet = Date.now() - this.lastHeard;
        if (quiet >= 2 * idleMs) {
          this.closeReason = `no answer from the server for ${duration(quiet)}`;
          s.terminate();
        } else if (quiet >= idleMs && !this.idlePinged) {
          this.idlePinged = true;
          this.send(message("PING", ["chat-idle"]));
        }
      },
      Math.max(50, Math.floor(idleMs / 3)),
    );
    this.idleTimer.unref?.();
  }

  private unwatch(): void {
    if (this.registerTimer !== undefined) clearTimeout(this.registerTimer);
    if (this.idleTimer !== undefined) clearInterval(this.idleTimer);
    this.registerTimer = undefined;
    this.idleTimer = undefined;
  }

  private onOpen(s: Socket<undefined>): void {
    this.socket = s;
    this.queue = new SendQueue(s);
    this.phase = "registering";
    this.nickAttempt = 0;
    this.state.registered = false;
    this.state.caps.clear();
    this.state.isupport.clear();
    this.state.batches.clear();
    this.openBatches.clear();
    this.paging.clear();
    if (this.opts.password !== undefined) this.send(message("PASS", [this.opts.password]));
    this.send(message("CAP", ["LS", "302"]));
    this.send(message("NICK", [this.wantNick]));
    this.send(message("USER", [this.opts.username, "0", "*", this.opts.realname]));
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
    const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)] as number;
    this.attempts++;
    // Jitter so a room full of clients does not reconnect in lockstep after a restart.
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.open();
    }, jittered);
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

  private onSocketClose(_s: Socket<undefined>): void {
    this.unwatch();
    this.socket = undefined;
    this.queue?.close();
    this.queue = undefined;
    for (const [, resolve] of this.pings) resolve();
    this.pings.clear();
    const wasReady = this.phase === "ready";
    if (this.phase === "closed") return;
    if (this.quitting) {
      this.finish("quit");
      return;
    }
    if (this.fatalReason !== undefined) {
      this.finish(this.fatalReason);
      return;
    }
    const reason = this.closeReason ?? "the server closed the connection";
    if (!this.everRegistered) {
      const detail = this.phase === "connecting" ? "closed during the TLS handshake" : reason;
      this.finish(`${this.where}: ${detail}`);
      return;
    }
    if (!this.opts.reconnect) {
      this.finish(`lost the connection to ${this.where}: ${reason}`);
      return;
    }
    // Before the status line: whoever redraws on it (the prompt's "(offline)") must see us offline.
    this.phase = "waiting";
    if (wasReady) {
      // Said once; the retries themselves stay quiet until one succeeds.
      this.status(`disconnected from ${this.where} (${reason}); reconnecting...`);
      this.attempts = 0;
    }
    this.scheduleRetry();
  }

  private onData(data: Uint8Array): void {
    this.lastHeard = Date.now();
    this.idlePinged = false;
    for (const ev of this.framer.push(data)) {
      if (ev.kind !== "line") continue;
      let msg: IrcMessage;
      try {
        msg = parse(ev.line);
      } catch (e) {
        if (e instanceof IrcParseError) continue;
        throw e;
      }
      this.onMessage(msg);
    }
  }

  private onMessage(msg: IrcMessage): void {
    const now = Date.now();
    switch (msg.command) {
      case "PING":
        this.send(message("PONG", msg.params));
        return;
      case "PONG": {
        const token = msg.params[msg.params.length - 1] ?? "";
        const done = this.pings.get(token);
        if (done !== undefined) {
          this.pings.delete(token);
          done();
        }
        return;
      }
      case "CAP":
        this.onCap(msg);
        return;
      case "ERROR":
        // The goodbye after our own QUIT is not news.
        if (this.quitting) return;
        // Not shown by itself: it becomes the one line that explains the close.
        this.closeReason = msg.params[msg.params.length - 1] ?? "closed";
        if (!this.everRegistered)
          this.fatalReason ??= `${this.where} refused us: ${this.closeReason}`;
        return;
      case ERR.NICKNAMEINUSE:
      case ERR.ERRONEUSNICKNAME:
      case "437": // ERR_UNAVAILRESOURCE
        if (!this.state.registered) {
          this.nickAttempt++;
          if (this.nickAttempt > 8) {
            this.fatalReason = `no free nickname like ${this.wantNick} on ${this.where}`;
            this.socket?.end();
            return;
          }
          const base = msg.command === ERR.ERRONEUSNICKNAME ? "guest" : this.wantNick;
          if (msg.command === ERR.ERRONEUSNICKNAME) this.nickRefused = true;
          this.send(message("NICK", [fallbackNick(base, this.nickAttempt)]));
          return;
        }
        break;
      case ERR.PASSWDMISMATCH:
        this.fatalReason =
          this.opts.password === undefined
            ? `${this.where} needs a password: use --password or set CHAT_PASSWORD`
            : `wrong server password for ${this.where}`;
        break;
      case ERR.YOUREBANNEDCREEP:
        this.fatalReason = `banned from ${this.where}: ${msg.params[msg.params.length - 1] ?? ""}`;
        break;
      case "BATCH":
        this.onBatch(msg);
        break;
      case "PRIVMSG":
        this.answerCtcp(msg);
        break;
      case "FAIL":
        // Handled by asking again: the refusal is not the user's problem.
        if (msg.params[0]?.toUpperCase() === "CHATHISTORY" && this.onChathistoryFail()) return;
        break;
    }
    const wasRegistered = this.state.registered;
    const events = handleLine(this.state, msg, now);
    const ref = msg.tags.get("batch");
    const batch = ref === undefined ? undefined : this.openBatches.get(ref);
    if (batch !== undefined) {
      // `count` pages the request; `shown` (new lines only, after de-duplication) is what we report.
      batch.count++;
      batch.shown += events.filter((e) => e.type === "message").length;
      const id = msg.tags.get("msgid");
      if (id !== undefined) batch.lastId = id;
    }
    this.maybeRegainNick(msg);
    if (!wasRegistered && this.state.registered) this.onRegistered();

    if (msg.command === "JOIN" && this.state.isMe(nickOf(msg.source))) this.onSelfJoin(msg);
    if (JOIN_ERRORS.has(msg.command)) this.rejoined(foldCase(msg.params[1] ?? ""));
    if (JOIN_ERRORS.has(msg.command) && this.startWaiter !== undefined) {
      const chan = msg.params[1] ?? "";
      if (foldCase(chan) === foldCase(this.firstChannel)) {
        const text = msg.params[msg.params.length - 1] ?? "";
        this.fatalReason = `cannot join ${chan}: ${text}`;
        this.socket?.end();
      }
    }
    for (const ev of events) {
      if (ev.type === "message" && ev.self && !ev.history) this.echoedCount++;
      if (ev.type === "error" && ev.fatal) continue; // reported once, as the close reason
      this.emit(ev);
    }
  }

  /**
   * CTCP VERSION and PING sent to us (irssi's /ctcp, /ping) get the customary
   * NOTICE answer, at most one a second so a prankster cannot make us flood.
   */
  private answerCtcp(msg: IrcMessage): void {
    const text = msg.params[1] ?? "";
    const target = msg.params[0] ?? "";
    if (!text.startsWith("\x01") || this.state.isChannel(target) || msg.tags.has("batch")) return;
    const body = text.replace(/^\x01|\x01$/g, "");
    const [verb = "", ...rest] = body.split(" ");
    const who = nickOf(msg.source);
    if (who === "" || this.state.isMe(who)) return;
    let reply: string | undefined;
    if (verb.toUpperCase() === "VERSION") reply = `VERSION chat ${VERSION} (chat join)`;
    else if (verb.toUpperCase() === "PING") reply = `PING ${rest.join(" ")}`.trimEnd();
    if (reply === undefined) return;
    const now = Date.now();
    if (now - this.lastCtcpReply < 1000) return;
    this.lastCtcpReply = now;
    this.send(message("NOTICE", [who, `\x01${reply}\x01`]));
  }

  /** Our nick was taken (often by our own ghost after a blip): reclaim it once it leaves. */
  private maybeRegainNick(msg: IrcMessage): void {
    if (!this.state.registered || this.state.isMe(this.wantNick)) return;
    if (msg.command !== "QUIT" && msg.command !== "NICK") return;
    if (foldCase(nickOf(msg.source)) !== foldCase(this.wantNick)) return;
    this.send(message("NICK", [this.wantNick]));
  }

  private onCap(msg: IrcMessage): void {
    // CAP <nick> <sub> [*] :<caps>
    const sub = (msg.params[1] ?? "").toUpperCase();
    const list = (msg.params[msg.params.length - 1] ?? "").split(" ").filter((c) => c !== "");
    const more = msg.params.length >= 4 && msg.params[2] === "*";
    switch (sub) {
      case "LS": {
        this.capLs.push(...list.map((c) => c.split("=")[0] ?? c));
        if (more) return;
        const want = WANTED_CAPS.filter((c) => this.capLs.includes(c));
        if (want.length === 0) this.send(message("CAP", ["END"]));
        else this.send(message("CAP", ["REQ", want.join(" ")]));
        return;
      }
      case "ACK":
        for (const c of list) {
          if (c.startsWith("-")) this.state.caps.delete(c.slice(1));
          else this.state.caps.add(c);
        }
        if (!this.state.registered) this.send(message("CAP", ["END"]));
        return;
      case "NAK":
        if (!this.state.registered) this.send(message("CAP", ["END"]));
        return;
      case "NEW": {
        const want = WANTED_CAPS.filter((c) => list.some((l) => l.split("=")[0] === c));
        if (want.length > 0) this.send(message("CAP", ["REQ", want.join(" ")]));
        return;
      }
      case "DEL":
        for (const c of list) this.state.caps.delete(c);
        return;
    }
  }

  private onRegistered(): void {
    this.phase = "ready";
    const rejoin = [...this.state.rooms.values()].map((r) => r.name);
    if (!this.everRegistered) {
      this.everRegistered = true;
      // Otherwise the only sign is "alice_ joined #lobby", easy to miss.
      const now = this.state.nick ?? "";
      if (this.nickAttempt > 0 && foldCase(now) !== foldCase(this.wantNick)) {
        this.status(
          this.nickRefused
            ? `the server refused the nickname ${this.wantNick}; you are ${now} (/nick NAME to change)`
            : `${this.wantNick} is taken on ${this.where}; you are ${now} until it is free`,
        );
      }
      this.join(this.opts.channels);
      return;
    }
    this.attempts = 0;
    this.status(`reconnected to ${this.where} as ${this.state.nick}`);
    if (this.awayText !== undefined) this.send(message("AWAY", [this.awayText]));
    this.catchUp.clear();
    for (const name of rejoin) {
      const last = this.state.lastMsgid.get(foldCase(name));
      if (last !== undefined) this.catchUp.set(foldCase(name), last);
    }
    // Rooms are rebuilt from the JOIN echoes and NAMES replies of the new session.
    this.state.rooms.clear();
    this.join(rejoin.length > 0 ? rejoin : this.opts.channels);
    this.awaitingRejoin = new Set(rejoin.map(foldCase));
    // Held lines go out once every room is back and its catch-up is in, so the
    // conversation reads in order; a bounded fallback covers a room we cannot rejoin.
    this.outboxTimer = setTimeout(() => this.flushOutbox(), 10_000);
    this.outboxTimer.unref?.();
  }

  private rejoined(key: string): void {
    if (!this.awaitingRejoin.delete(key) || this.awaitingRejoin.size > 0) return;
    // The PONG comes after the server has answered the CHATHISTORY requests sent before it.
    void this.barrier().then(() => this.flushOutbox());
  }

  private flushOutbox(): void {
    if (this.outboxTimer !== undefined) clearTimeout(this.outboxTimer);
    this.outboxTimer = undefined;
    if (this.phase !== "ready") return;
    for (const m of this.outbox.splice(0)) this.say(m.target, m.text, m.action);
  }

  private onSelfJoin(msg: IrcMessage): void {
    const room = msg.params[0] ?? "";
    const key = foldCase(room);
    const after = this.catchUp.get(key);
    this.catchUp.delete(key);
    // A server with chathistory does not replay on join: ask for what we missed
    // (AFTER the last msgid seen) or, the first time, for the recent past.
    // Without it, the server's join replay is all there is; msgids de-duplicate it.
    if (this.state.hasChathistory()) {
      if (after !== undefined) this.requestAfter(room, after, 0, 0);
      else
        this.send(
          message("CHATHISTORY", ["LATEST", room, "*", String(this.historyLimit(JOIN_HISTORY))]),
        );
    }
    this.rejoined(key);
    if (this.startWaiter !== undefined && key === foldCase(this.firstChannel)) {
      const w = this.startWaiter;
      this.startWaiter = undefined;
      w.resolve();
    }
  }

  private historyLimit(wanted: number): number {
    const max = Number(this.state.isupport.get("CHATHISTORY") ?? "") || wanted;
    return Math.max(1, Math.min(max, wanted));
  }

  private requestAfter(room: string, msgid: string, page: number, total: number): void {
    const limit = this.historyLimit(this.opts.catchUpLimit ?? 100);
    this.paging.set(foldCase(room), { limit, page, total, room, byMsgid: true });
    this.send(message("CHATHISTORY", ["AFTER", room, `msgid=${msgid}`, String(limit)]));
  }

  /**
   * A server that refuses our msgid (it lost its history, or does not keep ids)
   * gets the same question by time: AFTER the newest line we saw. Lines at that
   * same instant come back twice and are dropped by msgid.
   */
  private onChathistoryFail(): boolean {
    let retried = false;
    for (const [key, p] of this.paging) {
      if (!p.byMsgid) continue;
      const t = this.state.lastTime.get(key);
      if (t === undefined) continue;
      p.byMsgid = false;
      const ts = new Date(t).toISOString();
      this.send(message("CHATHISTORY", ["AFTER", p.room, `timestamp=${ts}`, String(p.limit)]));
      retried = true;
    }
    return retried;
  }

  /** Count catch-up batches; a full page means there may be more to fetch. */
  private onBatch(msg: IrcMessage): void {
    const ref = msg.params[0] ?? "";
    if (ref.startsWith("+")) {
      const type = msg.params[1] ?? "";
      const target = msg.params[2];
      if ((type === "chathistory" || type === "draft/chathistory") && target !== undefined)
        this.openBatches.set(ref.slice(1), { room: target, count: 0, shown: 0 });
      return;
    }
    const b = this.openBatches.get(ref.slice(1));
    if (b === undefined) return;
    this.openBatches.delete(ref.slice(1));
    const key = foldCase(b.room);
    const p = this.paging.get(key);
    const plural = (n: number): string => `${n} message${n === 1 ? "" : "s"}`;
    if (p === undefined) {
      // The recent past shown on joining: say where it ends and live talk begins.
      if (b.shown > 0) this.status(`${plural(b.shown)} of history in ${b.room} above`);
      return;
    }
    this.paging.delete(key);
    const total = p.total + b.shown;
    // Page on from the batch's own last line: live traffic may have moved lastMsgid ahead.
    const last = b.lastId;
    if (b.count >= p.limit && last !== undefined && p.page + 1 < MAX_CATCHUP_PAGES) {
      this.requestAfter(b.room, last, p.page + 1, total);
      return;
    }
    if (total > 0) this.status(`caught up: ${plural(total)} in ${b.room} while you were away`);
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
      if (batch.join(",").length + c.length > 400) {
        this.send(message("JOIN", [batch.join(",")]));
        batch = [];
      }
      batch.push(c);
    }
    if (batch.length > 0) this.send(message("JOIN", [batch.join(",")]));
  }

  /** Queue one message; false (and an error event) when it cannot be sent. */
  send(msg: IrcMessage): boolean {
    // A /nick from the user becomes the nick to keep across reconnects.
    if (msg.command === "NICK" && this.state.registered && msg.params[0] !== undefined)
      this.wantNick = msg.params[0];
    // Likewise /away: a server restart must not quietly mark the user as back.
    if (msg.command === "AWAY" && this.state.registered) {
      const text = msg.params[0] ?? "";
      this.awayText = text === "" ? undefined : text;
    }
    let line: string;
    try {
      line = serialize(msg);
    } catch (e) {
      if (e instanceof IrcSerializeError) {
        this.emit({ type: "error", time: new Date(), text: `cannot send that: ${e.message}` });
        return false;
      }
      throw e;
    }
    const q = this.queue;
    if (q === undefined) return false;
    if (!q.enqueue(encoder.encode(`${line}\r\n`))) {
      this.closeReason = "could not write to the server";
      this.socket?.end();
      return false;
    }
    return true;
  }

  /**
   * Say something to a room or nick: split to fit, and shown locally when the
   * server will not echo it back. Returns the number of lines sent.
   */
  say(target: string, text: string, action = false): number {
    if (this.phase !== "ready" && this.opts.reconnect && this.everRegistered && !this.quitting) {
      // A blip should not eat what the user typed: hold it until we are back.
      if (this.outbox.length < MAX_OUTBOX) {
        this.outbox.push({ target, text, action });
        this.emit({
          type: "info",
          time: new Date(),
          text: `not connected right now; will send when reconnected: ${text}`,
        });
        return 0;
      }
    }
    if (this.phase !== "ready") {
      this.emit({
        type: "error",
        time: new Date(),
        text: `not connected to ${this.where} right now; not sent: ${text}`,
      });
      return 0;
    }
    const clean = text.replace(/[\0\r\n]/g, " ");
    const budget = textBudget(this.state.nick, target) - (action ? 9 : 0);
    let sent = 0;
    for (const piece of splitText(clean, budget)) {
      const body = action ? `\x01ACTION ${piece}\x01` : piece;
      if (!this.send(message("PRIVMSG", [target, body]))) break;
      sent++;
      this.sentCount++;
      if (!this.state.caps.has("echo-message")) {
        const ev: MessageEvent = {
          type: "message",
          kind: action ? "action" : "privmsg",
          time: new Date(),
          room: target,
          nick: this.state.nick,
          text: piece,
          self: true,
          history: false,
          mention: false,
        };
        this.emit(ev);
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
      if (this.queue === undefined) {
        resolve();
        return;
      }
      this.pings.set(token, resolve);
      this.send(message("PING", [token]));
    });
  }

  /** Send QUIT and wait (bounded) for the server to close; then we are done. */
  async quit(reason = ""): Promise<void> {
    if (this.phase === "closed") return;
    this.quitting = true;
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    const s = this.socket;
    if (s === undefined) {
      this.connId++;
      this.phase = "closed";
      return;
    }
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    this.send(message("QUIT", reason === "" ? [] : [reason]));
    const timer = setTimeout(() => s.end(), 3000);
    await closed;
    clearTimeout(timer);
  }

  /** Drop the link now (tests, fatal errors). */
  close(): void {
    this.quitting = true;
    this.connId++;
    this.unwatch();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.socket?.end();
    this.phase = "closed";
  }
}

function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** One line the user can act on, for each way connecting can fail. */
export function describeConnectError(err: unknown, where: string, timeoutMs: number): string {
  const code = (err as { code?: string } | null)?.code ?? "";
  switch (code) {
    case "ECONNREFUSED":
      return `cannot connect to ${where}: connection refused (is chat serve running there?)`;
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
    case "DNSException":
      return `cannot connect to ${where}: host not found`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EHOSTDOWN":
      return `cannot connect to ${where}: host unreachable`;
    case "ETIMEDOUT":
      return `cannot connect to ${where}: no answer after ${Math.round(timeoutMs / 1000)} s`;
    case "ECONNRESET":
      return `cannot connect to ${where}: connection reset`;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/certificate|tls|ssl|handshake/i.test(message))
    return `TLS connection to ${where} failed: ${message}`;
  return `cannot connect to ${where}: ${message}`;
}
