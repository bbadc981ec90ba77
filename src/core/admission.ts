/**
 * Admission: who may connect, register, and how fast they may act. Connection
 * caps (total and per address, IPv6 per /64), the server password with its
 * lockout across reconnects, server bans (KLINE by mask, DLINE by address),
 * OPER attempts per address, and the nick-change and join/part rates per user.
 * All of it is state of this object (and of each session), nothing global.
 * Server bans and address lockouts are also written to a ModerationStore, so a
 * restart on the same database keeps them (until they expire).
 */
import type { RefusalReason } from "../metrics/counters.ts";
import { addressKey } from "../security/address.ts";
import { type BanKind, type ServerBan, ServerBans } from "../security/bans.ts";
import { passwordAccepted } from "../security/password.ts";
import { humanSeconds, SlidingWindow } from "../security/rate-limit.ts";
import {
  MemoryModeration,
  type ModerationEntry,
  type ModerationKind,
  type ModerationStore,
} from "../store/moderation.ts";
import { ChatError } from "./errors.ts";
import type { Limits } from "./limits.ts";
import type { Session } from "./state.ts";

export class Admission {
  readonly bans = new ServerBans();
  private readonly perIp = new Map<string, number>();
  private readonly passwordFailures = new Map<string, SlidingWindow>();
  private readonly operAttempts = new Map<string, SlidingWindow>();
  /** Lockouts read back from the store at start: "kind address" -> until (ms). */
  private readonly lockedUntil = new Map<string, number>();
  private readonly store: ModerationStore;
  private readonly clock: () => number;

  constructor(
    private limits: Readonly<Limits>,
    private readonly password: string | undefined,
    opts: { store?: ModerationStore; now?: () => number } = {},
  ) {
    this.store = opts.store ?? new MemoryModeration();
    this.clock = opts.now ?? Date.now;
    for (const e of this.store.load(this.clock())) this.restore(e);
  }

  private restore(e: ModerationEntry): void {
    if (e.kind === "kline" || e.kind === "dline") {
      const ban: ServerBan = {
        kind: e.kind === "kline" ? "mask" : "ip",
        pattern: e.pattern,
        reason: e.reason,
        setBy: e.setBy,
        setAt: e.setAt,
      };
      if (e.expiresAt !== undefined) ban.expiresAt = e.expiresAt;
      this.bans.add(ban);
    } else if (e.expiresAt !== undefined) {
      this.lockedUntil.set(`${e.kind} ${e.pattern}`, e.expiresAt);
    }
  }

  /** Add or replace a server ban, in memory and in the store. */
  addBan(ban: ServerBan): ServerBan {
    const stored = this.bans.add(ban);
    const entry: ModerationEntry = {
      kind: banKind(stored.kind),
      pattern: stored.pattern,
      reason: stored.reason,
      setBy: stored.setBy,
      setAt: stored.setAt,
    };
    if (stored.expiresAt !== undefined) entry.expiresAt = stored.expiresAt;
    this.store.save(entry);
    return stored;
  }

  /** Lift a server ban; the removed one, or undefined when there was none. */
  removeBan(kind: BanKind, pattern: string): ServerBan | undefined {
    const removed = this.bans.remove(kind, pattern);
    if (removed !== undefined) this.store.remove(banKind(kind), removed.pattern);
    return removed;
  }

  /** The bans of `kind` in force now. */
  listBans(kind: BanKind): ServerBan[] {
    return this.bans.list(this.clock()).filter((b) => b.kind === kind);
  }

  /** A reload's new limits; counts and windows already kept stay. */
  setLimits(limits: Readonly<Limits>): void {
    this.limits = limits;
  }

  /** Why a new connection from `ip` is refused (the ERROR text), or undefined to admit it. */
  refusal(
    ip: string,
    connections: number,
    now: number,
  ): { error: string; log: string; reason: RefusalReason } | undefined {
    const l = this.limits;
    if (connections >= l.maxConnections) {
      return {
        error: "Server full: too many connections, try again later",
        log: `total connection limit (${l.maxConnections})`,
        reason: "server_full",
      };
    }
    const wait = this.passwordLockout(ip, now);
    if (wait > 0) {
      return {
        error: `Too many wrong passwords from your address; try again in ${humanSeconds(wait)}`,
        log: "too many wrong passwords",
        reason: "password_lockout",
      };
    }
    const banned = this.bans.matchIp(ip, now);
    if (banned !== undefined) {
      return {
        error: `You are banned from this server: ${banned.reason}`,
        log: "server ban (DLINE)",
        reason: "dline",
      };
    }
    if ((this.perIp.get(addressKey(ip)) ?? 0) >= l.maxConnectionsPerIp) {
      return {
        error: `Too many connections from your address (limit ${l.maxConnectionsPerIp})`,
        log: "per-address connection limit",
        reason: "per_address",
      };
    }
    return undefined;
  }

  admitted(ip: string): void {
    const key = addressKey(ip);
    this.perIp.set(key, (this.perIp.get(key) ?? 0) + 1);
  }

  released(ip: string): void {
    const key = addressKey(ip);
    const n = (this.perIp.get(key) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(key);
    else this.perIp.set(key, n);
  }

  /** The server password check, constant-time; a wrong one counts against the address. */
  passwordOk(ip: string, given: string | undefined, now: number): boolean {
    if (passwordAccepted(this.password, given)) return true;
    this.notePasswordFailure(ip, now);
    return false;
  }

  private notePasswordFailure(ip: string, now: number): void {
    if (this.limits.passwordFailuresMax <= 0) return;
    const { passwordFailuresMax: max, passwordFailuresWindowMs: windowMs } = this.limits;
    const w = this.windowOf(this.passwordFailures, ip, max, windowMs);
    w.take(now);
    this.keepLockout("lockout-password", ip, w, now, "too many wrong server passwords");
  }

  /** Milliseconds `ip` must wait before it may try again, or 0. */
  private passwordLockout(ip: string, now: number): number {
    if (this.limits.passwordFailuresMax <= 0) return 0;
    const live = this.passwordFailures.get(addressKey(ip))?.retryAfter(now) ?? 0;
    return Math.max(live, this.restoredLockout("lockout-password", ip, now));
  }

  /** A lockout from before a restart still running for `ip`: ms left, or 0. */
  private restoredLockout(kind: ModerationKind, ip: string, now: number): number {
    if (this.lockedUntil.size === 0) return 0;
    const key = `${kind} ${addressKey(ip)}`;
    const until = this.lockedUntil.get(key);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.lockedUntil.delete(key);
    return 0;
  }

  /** When `w` has just filled up, write the lockout down so a restart does not lift it. */
  private keepLockout(
    kind: ModerationKind,
    ip: string,
    w: SlidingWindow,
    now: number,
    reason: string,
  ): void {
    const wait = w.retryAfter(now);
    if (wait <= 0) return;
    this.store.save({
      kind,
      pattern: addressKey(ip),
      reason,
      setBy: "server",
      setAt: this.clock(),
      expiresAt: this.clock() + wait,
    });
  }

  /** Why this user is banned from the server (KLINE/DLINE), or undefined. Operators are exempt. */
  serverBanReason(s: Session): string | undefined {
    if (s.oper || s.nick === undefined) return undefined;
    const ban = this.bans.match(
      { nick: s.nick, user: s.user, host: s.host, ip: s.conn.remoteAddress },
      this.clock(),
    );
    return ban === undefined ? undefined : `You are banned from this server: ${ban.reason}`;
  }

  ipBanReason(ip: string): string | undefined {
    const ban = this.bans.matchIp(ip, this.clock());
    return ban === undefined ? undefined : `You are banned from this server: ${ban.reason}`;
  }

  /** One OPER attempt from `ip`; false once the address used up its minute. */
  operAttempt(ip: string, now: number): boolean {
    if (this.restoredLockout("lockout-oper", ip, now) > 0) return false;
    const { operAttemptsPerIp: max, operWindowMs: windowMs } = this.limits;
    const w = this.windowOf(this.operAttempts, ip, max, windowMs);
    const ok = w.take(now);
    if (ok) this.keepLockout("lockout-oper", ip, w, now, "too many OPER attempts");
    return ok;
  }

  /** The address's window in `table`, made on first use; the table forgets its oldest past the cap. */
  private windowOf(
    table: Map<string, SlidingWindow>,
    ip: string,
    max: number,
    windowMs: number,
  ): SlidingWindow {
    const key = addressKey(ip);
    let w = table.get(key);
    if (w === undefined) {
      if (table.size >= this.limits.trackedAddresses) {
        const oldest = table.keys().next().value;
        if (oldest !== undefined) table.delete(oldest);
      }
      w = new SlidingWindow({ max, windowMs });
      table.set(key, w);
    }
    return w;
  }

  /** Throws ERR_NICKTOOFAST (438) when a registered user changes nick too often. */
  checkNickChange(s: Session, nick: string, now: number): void {
    const { nickChangeMax: max, nickChangeWindowMs: windowMs } = this.limits;
    if (max <= 0) return;
    s.nickWindow ??= new SlidingWindow({ max, windowMs });
    const wait = rateWait(s.nickWindow, now);
    if (wait === undefined) return;
    throw new ChatError(
      "nickTooFast",
      [nick],
      `Nick change too fast: wait ${wait} before changing your nick again`,
    );
  }

  /** Throws ERR_TARGETTOOFAST (439) when a user joins and parts rooms too often. */
  checkJoinPart(s: Session, channel: string, now: number): void {
    const { joinPartMax: max, joinPartWindowMs: windowMs } = this.limits;
    if (max <= 0) return;
    s.joinWindow ??= new SlidingWindow({ max, windowMs });
    const wait = rateWait(s.joinWindow, now);
    if (wait === undefined) return;
    throw new ChatError(
      "targetTooFast",
      [channel],
      `Joining and parting too fast: wait ${wait} before joining or leaving ${channel}`,
    );
  }
}

function banKind(kind: BanKind): ModerationKind {
  return kind === "mask" ? "kline" : "dline";
}

/** Take one action from the window; undefined when allowed, else how long to wait, in words. */
function rateWait(w: SlidingWindow, now: number): string | undefined {
  return w.take(now) ? undefined : humanSeconds(w.retryAfter(now));
}
