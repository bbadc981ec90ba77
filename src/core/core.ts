/**
 * The chat core: one object per server (node) that owns the registry,
 * admission, delivery and history, and turns each connection the transport
 * accepts into a session with a front. Knows nothing about sockets beyond
 * `Conn`, and nothing about IRC or plain-text wording: fronts do that.
 *
 * The input path of a connection: the transport's line -> `input` (activity,
 * human/IRC sniffing, flood bucket) -> the front's `line`, with any exception
 * contained to that one connection.
 */
import type { MessageBus } from "../bus/bus.ts";
import type { BusEvent } from "../bus/events.ts";
import { LocalBus } from "../bus/local.ts";
import { ServerCounters } from "../metrics/counters.ts";
import { isValidNick, sanitizeLine } from "../protocol/text.ts";
import { ClaimStore } from "../store/claims.ts";
import type { ModerationStore } from "../store/moderation.ts";
import type { HistoryStore } from "../store/store.ts";
import type { Conn, ConnHandler } from "../transport/conn.ts";
import { Accounts } from "./accounts.ts";
import { moveInvites } from "./actions/identity.ts";
import { quitRooms } from "./actions/rooms.ts";
import { Admission } from "./admission.ts";
import type { FrontFactory, ServerInfo } from "./api.ts";
import { Delivery } from "./delivery.ts";
import { ChatError } from "./errors.ts";
import { fillTokens, takeToken } from "./flood.ts";
import { CoreHandle } from "./handle.ts";
import { History } from "./history.ts";
import { type Housekept, tick } from "./housekeeping.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import type { EventLog, LogEvent } from "./log.ts";
import { Monitors } from "./monitor.ts";
import { MsgIds } from "./msgid.ts";
import type { NodeHooks } from "./node-hooks.ts";
import type { CoreParts, OperLogin } from "./parts.ts";
import { Registry } from "./registry.ts";
import { looksLikeIrc } from "./sniff.ts";
import { type BackloggedLine, Room, Session, type SessionHost } from "./state.ts";

export type { OperLogin } from "./parts.ts";

export interface CoreOptions {
  store: HistoryStore;
  /** Where server bans and lockouts are kept across restarts; default: memory only. */
  moderation?: ModerationStore;
  /** The IRC front (for TCP, TLS and later WebSocket) and, optionally, the human one. */
  fronts: { irc: FrontFactory; plain?: FrontFactory };
  bus?: MessageBus;
  limits?: Partial<Limits>;
  serverName?: string;
  network?: string;
  version?: string;
  password?: string;
  motd?: string;
  opers?: OperLogin[];
  /** One line per connect/disconnect (stderr in `chat serve`); omit to stay silent. */
  log?: (line: string) => void;
  /** Structured events (used instead of `log` when given): `chat serve --log-format`. */
  events?: EventLog;
  now?: () => number;
  /** Owned nicks; default: a new in-memory store (90 days). */
  claims?: ClaimStore;
}

/** What a reload may change while the server runs. */
export interface Reconfiguration {
  motd: string | undefined;
  opers: OperLogin[];
  limits: Partial<Limits>;
}

const encoder = new TextEncoder();

export class Core implements CoreParts, SessionHost, Housekept {
  /** Replaced whole (never edited) by `reconfigure`. */
  limits: Readonly<Limits>;
  readonly info: ServerInfo;
  readonly registry: Registry;
  readonly admission: Admission;
  readonly accounts: Accounts;
  readonly delivery: Delivery;
  readonly history: History;
  readonly bus: MessageBus;
  readonly ids: MsgIds;
  readonly monitors = new Monitors();
  opers: readonly OperLogin[];
  readonly node: string;
  /** Set by a cluster (src/cluster) after construction; undefined on a lone node. */
  hooks: NodeHooks | undefined;
  readonly now: () => number;
  readonly throttled = new Set<Session>();
  /** What the metrics endpoint reports; plain numbers the hot paths increment. */
  readonly counters = new ServerCounters();
  private readonly fronts: { irc: FrontFactory; plain?: FrontFactory };
  private readonly logEvent: EventLog;
  private timer: ReturnType<typeof setInterval> | undefined;
  private nextId = 1;
  closing = false;

  constructor(opts: CoreOptions) {
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...opts.limits });
    this.now = opts.now ?? monotonicClock(Date.now);
    const createdAt = this.now();
    this.info = {
      name: opts.serverName ?? "chat.server",
      network: opts.network ?? "chat",
      version: opts.version ?? "chat-dev",
      createdAt,
      motd: opts.motd,
      passwordRequired: opts.password !== undefined,
      limits: this.limits,
    };
    this.fronts = opts.fronts;
    this.opers = opts.opers ?? [];
    const line = opts.log;
    this.logEvent = opts.events ?? (line ? (e) => line(e.msg) : () => {});
    this.bus = opts.bus ?? new LocalBus();
    // Unique per run: a restarted node must not be mistaken for its earlier self.
    this.node = `${createdAt.toString(36)}.${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
    // The node name, not the start time alone: two nodes may start in the same millisecond.
    this.ids = new MsgIds(this.node);
    this.registry = new Registry(this.limits.whowasEntries);
    this.admission = new Admission(this.limits, opts.password, {
      now: this.now,
      ...(opts.moderation ? { store: opts.moderation } : {}),
    });
    this.accounts = new Accounts(opts.claims ?? ClaimStore.memory(), this.limits);
    this.delivery = new Delivery(this.bus, this.node, this.counters, (s, err) =>
      this.renderFailed(s, err),
    );
    this.history = new History(
      opts.store,
      this.bus,
      this.registry,
      (n) => this.validNick(n),
      this.counters,
    );
    for (const state of opts.store.loadRooms()) {
      const room = Room.fromState(state);
      this.registry.rooms.set(room.folded, room);
    }
    this.timer = setInterval(() => tick(this), this.limits.tickMs);
  }

  get sessions(): ReadonlySet<Session> {
    return this.registry.sessions;
  }

  log(line: string): void {
    this.logEvent({ level: "info", event: "message", msg: line });
  }

  event(e: LogEvent): void {
    this.logEvent(e);
  }

  validNick(nick: string): boolean {
    return isValidNick(nick, this.limits.nickLen);
  }

  /** The transport's Acceptor. Refusals get a clear ERROR line and are closed. */
  accept(conn: Conn): ConnHandler | undefined {
    const ip = conn.remoteAddress;
    if (this.closing) {
      this.counters.refused.shutdown++;
      conn.close(encoder.encode("ERROR :Server shutting down\r\n"));
      return undefined;
    }
    const refused = this.admission.refusal(ip, this.registry.sessions.size, this.now());
    if (refused !== undefined) {
      this.counters.refused[refused.reason]++;
      conn.close(encoder.encode(`ERROR :${refused.error}\r\n`));
      this.event({
        level: "warn",
        event: "refused",
        msg: `refused ${ip}: ${refused.log}`,
        fields: { ip, reason: refused.log },
      });
      return undefined;
    }
    this.admission.admitted(ip);
    this.counters.connectionsAccepted++;
    const id = this.nextId++;
    const s = new Session(id, conn, this, this.now());
    s.api = new CoreHandle(this, s);
    s.front = this.fronts.irc(s.api);
    s.updateVariant();
    // Without a plain front there is nothing to decide: every connection is IRC.
    if (this.fronts.plain === undefined) s.mode = "irc";
    fillTokens(s, this.limits.floodBurst, this.now());
    this.registry.sessions.add(s);
    this.event({
      level: "info",
      event: "connect",
      msg: `connect ${ip} (id ${id})`,
      fields: { ip, id },
    });
    return s;
  }

  /**
   * A reload (SIGHUP): new MOTD, operator logins and limits take effect at once,
   * and every connection stays. Operators already logged in stay operators;
   * the flood setting is applied to open connections too.
   */
  reconfigure(change: Reconfiguration): void {
    const floodWasOn = this.limits.floodLimit;
    this.limits = Object.freeze({ ...this.limits, ...change.limits });
    this.info.limits = this.limits;
    this.info.motd = change.motd;
    this.opers = change.opers;
    this.admission.setLimits(this.limits);
    // Flood control turned on: every open connection starts from a full bucket.
    if (this.limits.floodLimit && !floodWasOn) {
      for (const s of this.registry.sessions) fillTokens(s, this.limits.floodBurst, this.now());
    }
  }

  // ---- SessionHost: the transport's calls for one session

  input(s: Session, raw: string, invalidUtf8 = false): void {
    const now = this.now();
    s.lastActive = now;
    s.pingSentAt = 0;
    const text = sanitizeLine(raw);
    if (s.mode === "undecided" || s.mode === "plain-tentative") {
      if (text.trim() === "") return;
      this.decide(s, text);
    }
    if (this.limits.floodLimit && (s.backlog !== undefined || !this.takeToken(s, now))) {
      if (s.backlog === undefined) s.backlog = [];
      s.backlog.push(invalidUtf8 ? { invalidUtf8: text } : text);
      if (s.backlog.length > this.limits.floodBacklog) {
        this.counters.floodDisconnects++;
        this.disconnect(s, "Excess Flood");
        return;
      }
      this.throttled.add(s);
      return;
    }
    this.runLine(s, text, invalidUtf8);
  }

  overlong(s: Session): void {
    s.lastActive = this.now();
    s.front.overlong();
  }

  closed(s: Session, reason: string): void {
    if (reason === "SendQ exceeded") this.counters.sendQDisconnects++;
    this.disconnect(s, reason);
  }

  nickEvent(s: Session, event: BusEvent): void {
    this.delivery.toUser(s, event);
  }

  private takeToken(s: Session, now: number): boolean {
    return takeToken(s, this.limits.floodBurst, this.limits.floodRate, now);
  }

  /** Feed held-back lines as tokens refill; returns true while some remain. */
  drainBacklog(s: Session, now: number): boolean {
    while (s.backlog !== undefined && s.backlog.length > 0 && !s.gone) {
      if (this.limits.floodLimit && !this.takeToken(s, now)) return true;
      const held = s.backlog.shift() as BackloggedLine;
      if (typeof held === "string") this.runLine(s, held, false);
      else this.runLine(s, held.invalidUtf8, true);
    }
    s.backlog = undefined;
    return false;
  }

  /** Run one input line through the session's front, containing any exception to it. */
  private runLine(s: Session, text: string, invalidUtf8: boolean): void {
    try {
      s.front.line(text, invalidUtf8);
    } catch (err) {
      if (err instanceof ChatError) {
        s.front.error(err);
        return;
      }
      s.captured = undefined;
      this.event({
        level: "error",
        event: "internal-error",
        msg: `internal error on connection ${s.id}: ${err instanceof Error ? err.stack : err}`,
        fields: { id: s.id },
      });
      this.disconnect(s, "Internal server error");
    }
  }

  private decide(s: Session, text: string): void {
    if (looksLikeIrc(text, s.mode === "plain-tentative")) {
      if (s.mode === "plain-tentative") this.useFront(s, "irc");
      s.mode = "irc";
    } else if (s.mode === "undecided") {
      this.switchToPlain(s, false);
    } else {
      s.mode = "plain";
    }
  }

  switchToPlain(s: Session, tentative: boolean): void {
    if (this.fronts.plain === undefined) {
      s.mode = "irc";
      return;
    }
    s.mode = tentative ? "plain-tentative" : "plain";
    this.useFront(s, "plain");
    s.front.start();
  }

  private useFront(s: Session, kind: "irc" | "plain"): void {
    const factory = kind === "plain" ? this.fronts.plain : this.fronts.irc;
    if (factory === undefined) return;
    s.front = factory(s.api);
    s.updateVariant();
  }

  /** A front threw while rendering for `s`: cut off only `s`, after the fan-out loop. */
  private renderFailed(s: Session, err: unknown): void {
    this.event({
      level: "error",
      event: "internal-error",
      msg: `internal error rendering for connection ${s.id}: ${err instanceof Error ? err.stack : err}`,
      fields: { id: s.id },
    });
    queueMicrotask(() => this.disconnect(s, "Internal server error"));
  }

  /** Remove a session everywhere and close its connection. Idempotent. */
  disconnect(s: Session, reason: string): void {
    if (s.gone) return;
    // A user of another node: its home node disconnects it (and publishes its QUIT).
    if (s.id < 0 && this.hooks?.disconnectRemote(s, reason) === true) return;
    s.gone = true;
    s.captured = undefined;
    this.registry.sessions.delete(s);
    if (s.registered) {
      this.registry.registeredCount--;
      if (s.umodes.has("i")) this.registry.invisibleCount--;
      if (s.oper) this.registry.operCount--;
    }
    this.throttled.delete(s);
    s.backlog = undefined;
    const ip = s.conn.remoteAddress;
    this.admission.released(ip);
    if (s.registered && s.nick !== undefined) {
      quitRooms(this, s, reason);
      this.registry.rememberWhowas(s, this.now());
      this.hooks?.gone(s);
    }
    moveInvites(s, s.folded, undefined);
    this.monitors.clear(s);
    if (s.registered && s.nick !== undefined) this.monitors.offline(s.nick);
    this.delivery.unwatchNick(s);
    this.registry.releaseNick(s);
    if (!s.conn.closed) s.conn.close(s.front.farewell(reason));
    this.logDisconnect(s, reason);
  }

  private logDisconnect(s: Session, reason: string): void {
    const ip = s.conn.remoteAddress;
    this.event({
      level: "info",
      event: "disconnect",
      msg: `disconnect ${ip} (id ${s.id}${s.nick ? `, ${s.nick}` : ""}): ${reason}`,
      fields: { ip, id: s.id, nick: s.nick, reason },
    });
  }

  /** Tell every client, close every connection, stop the timer. The caller flushes and closes the store. */
  shutdown(reason = "Server shutting down"): void {
    this.closing = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of [...this.registry.sessions]) {
      s.gone = true;
      this.registry.sessions.delete(s);
      // A human on nc gets a sentence, not an IRC ERROR line.
      s.conn.close(
        s.front.kind === "plain"
          ? s.front.farewell(reason)
          : encoder.encode(`ERROR :${reason}\r\n`),
      );
      this.logDisconnect(s, reason);
    }
    this.registry.registeredCount = 0;
    this.registry.invisibleCount = 0;
    this.registry.operCount = 0;
    for (const s of this.registry.holders()) this.delivery.unwatchNick(s);
    for (const room of this.registry.rooms.values()) this.delivery.unwatchRoom(room);
    this.history.close();
  }
}

/**
 * Wall-clock time that never goes backwards: history is ordered by server time,
 * so an NTP step back must not file new messages before ones already sent.
 */
export function monotonicClock(wall: () => number): () => number {
  let last = 0;
  return () => {
    const t = wall();
    if (t > last) last = t;
    return last;
  };
}
