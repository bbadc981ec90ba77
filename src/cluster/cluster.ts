/**
 * One node of a network over Redis: wires the core (its NodeHooks), the
 * RedisBus and the replica together.
 *
 * - A local user registers: its nick is claimed in Redis (nicks.ts, the
 *   conflict rule) and announced to the other nodes; it leaves: released and
 *   announced. A claim that loses renames the local user.
 * - Every heartbeat (default 5 s) the node says it is alive and refreshes its
 *   users' nick claims; the refresh is also the re-assertion after Redis lost
 *   its data. A node not heard from for the node TTL (default 15 s) is lost:
 *   its users quit here with "node lost".
 * - A node that starts asks the others ("hello") for a snapshot of their
 *   users, memberships and rooms.
 */
import type { RedisBus } from "../bus/redis.ts";
import { setNick, suggestNick } from "../core/actions/identity.ts";
import { banFromNetwork } from "../core/actions/oper.ts";
import type { FrontFactory } from "../core/api.ts";
import type { Core } from "../core/core.ts";
import type { NodeHooks } from "../core/node-hooks.ts";
import type { Session } from "../core/state.ts";
import type { BanKind, ServerBan } from "../security/bans.ts";
import { parseClaimChange } from "./claim-records.ts";
import { NickClaims, parseHolder } from "./nicks.ts";
import { Replica, type RoomRecord, type UserRecord } from "./replica.ts";

export interface ClusterOptions {
  /** Same key prefix as the bus. Default "chat:". */
  prefix?: string;
  /** How often this node says it is alive and refreshes its nick claims. Default 5000. */
  heartbeatMs?: number;
  /** Silence after which another node counts as lost. Default 15000. */
  nodeTtlMs?: number;
  log?: (line: string) => void;
}

type Control = Record<string, unknown> & { k?: unknown; node?: unknown };

export class Cluster implements NodeHooks {
  readonly replica: Replica;
  private readonly claims: NickClaims;
  /** Each registered local session's claim value (`at|node/conn`). */
  private readonly held = new Map<Session, string>();
  /** Last time each other node was heard from. */
  private readonly lastSeen = new Map<string, number>();
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly log: (line: string) => void;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Each other node's +i and operator counts, from its last heartbeat (for LUSERS). */
  private readonly remoteCounts = new Map<string, { inv: number; ops: number }>();
  /** No node is declared lost before this (we were cut off from Redis ourselves). */
  private graceUntil = 0;

  constructor(
    private readonly core: Core,
    private readonly bus: RedisBus,
    irc: FrontFactory,
    opts: ClusterOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 5000;
    this.ttlMs = opts.nodeTtlMs ?? 15_000;
    this.log = opts.log ?? (() => {});
    this.replica = new Replica(core, irc);
    this.claims = new NickClaims(bus.redis, opts.prefix ?? "chat:", this.ttlMs);
    bus.onRemote((topic, ev) => {
      this.lastSeen.set(ev.origin.node, Date.now());
      this.replica.apply(topic, ev);
    });
    bus.onControl((r) => this.control(r as Control));
  }

  /** Join the network: hooks on, hello to the others, heartbeats. */
  start(): void {
    this.core.hooks = this;
    // Owned-nick claims stay in each node's SQLite; every change made here is replayed elsewhere.
    this.core.accounts.store.onChange = (c) =>
      this.bus.control({ k: "claim", node: this.core.node, c });
    this.bus.control({ k: "hello", node: this.core.node });
    this.bus.control(this.beatRecord());
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
  }

  /** Leave the network cleanly: the others drop our users now, not after the TTL. */
  stop(reason = "Server shutting down"): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.core.hooks = undefined;
    this.core.accounts.store.onChange = undefined;
    for (const [s, value] of this.held) {
      if (s.folded !== undefined) void this.claims.release(s.folded, value).catch(() => {});
    }
    this.held.clear();
    this.bus.control({ k: "bye", node: this.core.node, reason });
  }

  // ---- NodeHooks

  registered(s: Session): void {
    this.held.set(s, this.claims.holderValue(this.core.now(), this.core.node, s.id));
    this.bus.control({ k: "user", ...this.record(s, false) });
    void this.claim(s);
  }

  nickChanged(s: Session, from: string | undefined): void {
    const old = this.held.get(s);
    if (from !== undefined && old !== undefined) {
      void this.claims.release(from, old).catch(() => {});
      this.replica.reclaim(from);
    }
    this.held.set(s, this.claims.holderValue(this.core.now(), this.core.node, s.id));
    void this.claim(s);
  }

  gone(s: Session): void {
    const value = this.held.get(s);
    this.held.delete(s);
    if (value !== undefined && s.folded !== undefined) {
      void this.claims.release(s.folded, value).catch(() => {});
    }
    this.bus.control({ k: "gone", node: this.core.node, conn: s.id });
  }

  disconnectRemote(s: Session, reason: string): boolean {
    const home = this.replica.homeOf(s);
    if (home === undefined) return false;
    this.bus.control({
      k: "disconnect",
      node: this.core.node,
      to: home.node,
      conn: home.conn,
      reason,
    });
    return true;
  }

  banAdded(ban: ServerBan): void {
    this.bus.control({ k: "ban", node: this.core.node, ...ban });
  }

  banLifted(kind: BanKind, pattern: string): void {
    this.bus.control({ k: "unban", node: this.core.node, kind, pattern });
  }

  // ---- internals

  private async claim(s: Session): Promise<void> {
    const folded = s.folded;
    const value = this.held.get(s);
    if (folded === undefined || value === undefined) return;
    let out: Awaited<ReturnType<NickClaims["claim"]>>;
    try {
      out = await this.claims.claim(folded, value);
    } catch {
      return; // Redis is away: the next heartbeat asserts the claim again.
    }
    // Changed nick or left while we asked: that newer claim is what counts.
    if (s.gone || s.folded !== folded || this.held.get(s) !== value) return;
    if (!out.won) {
      this.lose(s);
      return;
    }
    const loser = parseHolder(out.other);
    if (loser !== undefined && loser.node !== this.core.node) {
      this.bus.control({ k: "nick-lost", node: loser.node, conn: loser.conn, nick: folded });
    }
  }

  /** `s` lost its nick to an earlier claim elsewhere: rename it, tell it why. */
  private lose(s: Session): void {
    const nick = s.nick;
    const folded = s.folded;
    if (nick === undefined || folded === undefined || s.gone) return;
    const next = suggestNick(this.core, nick);
    s.front.notice(
      `The nick ${nick} was claimed first on another server of this network; you are now ${next}`,
    );
    try {
      setNick(this.core, s, next);
    } catch {
      this.core.disconnect(s, "Nick collision");
    }
    this.log(`nick collision: ${nick} (id ${s.id}) renamed to ${next}`);
    this.replica.reclaim(folded);
  }

  private beat(): void {
    const now = Date.now();
    if (!this.bus.connected) this.graceUntil = now + this.ttlMs;
    this.bus.control(this.beatRecord());
    for (const s of this.held.keys()) void this.claim(s);
    if (now < this.graceUntil) return;
    for (const [node, at] of this.lastSeen) {
      if (now - at > this.ttlMs) this.dropNode(node, "node lost");
    }
  }

  /**
   * A heartbeat carries this node's +i and operator counts: user modes never
   * cross the bus, and LUSERS counts them network-wide (a heartbeat late).
   */
  private beatRecord(): Record<string, unknown> {
    const r = this.core.registry;
    return { k: "beat", node: this.core.node, inv: r.invisibleCount, ops: r.operCount };
  }

  private noteCounts(node: string, inv: unknown, ops: unknown): void {
    if (typeof inv !== "number" || typeof ops !== "number") return;
    this.remoteCounts.set(node, { inv, ops });
    this.sumCounts();
  }

  private sumCounts(): void {
    let inv = 0;
    let ops = 0;
    for (const c of this.remoteCounts.values()) {
      inv += c.inv;
      ops += c.ops;
    }
    this.core.registry.remoteInvisible = inv;
    this.core.registry.remoteOpers = ops;
  }

  /** Every user of `node` quits here (it cannot publish their QUITs any more). */
  private dropNode(node: string, reason: string): void {
    this.lastSeen.delete(node);
    if (this.remoteCounts.delete(node)) this.sumCounts();
    const users = this.replica.usersOf(node);
    for (const [conn, g] of users) {
      const rooms = [...g.joined.keys()];
      const ev = {
        type: "quit" as const,
        msgid: this.core.ids.next(),
        source: g.prefix,
        time: this.core.now(),
        origin: { node, conn },
        text: reason,
        rooms,
      };
      for (const r of rooms) this.bus.deliverHere(r, ev);
      this.replica.drop(node, conn);
    }
    this.log(`node ${node}: ${reason} (${users.length} users)`);
  }

  private control(r: Control): void {
    const node = typeof r.node === "string" ? r.node : undefined;
    if (node === undefined) return;
    if (r.k !== "nick-lost") this.lastSeen.set(node, Date.now());
    switch (r.k) {
      case "user":
        this.replica.user(r as unknown as UserRecord);
        return;
      case "gone":
        this.replica.drop(node, Number(r.conn));
        return;
      case "beat":
        this.noteCounts(node, r.inv, r.ops);
        return;
      case "hello":
        this.snapshot();
        return;
      case "room":
        this.replica.room(r as unknown as RoomRecord);
        return;
      case "ban":
        if (node !== this.core.node) this.applyBan(r);
        return;
      case "claim": {
        const change = parseClaimChange(r.c);
        if (node !== this.core.node && change !== undefined) {
          this.core.accounts.store.applyRemote(change, this.core.now());
        }
        return;
      }
      case "unban":
        if (node !== this.core.node && (r.kind === "mask" || r.kind === "ip")) {
          this.core.admission.removeBan(r.kind, String(r.pattern));
        }
        return;
      case "bye":
        this.dropNode(node, typeof r.reason === "string" ? r.reason : "Server shutting down");
        return;
      case "disconnect": {
        if (r.to !== this.core.node) return;
        for (const s of this.core.sessions) {
          if (s.id === Number(r.conn)) this.core.disconnect(s, String(r.reason ?? "Disconnected"));
        }
        return;
      }
      case "nick-lost": {
        if (node !== this.core.node) return;
        for (const s of this.held.keys()) {
          if (s.id === Number(r.conn) && s.folded === r.nick) this.lose(s);
        }
        return;
      }
    }
  }

  /** Another node's K-line or D-line (a record of ours, or a bad one, is ignored). */
  private applyBan(r: Control): void {
    if (r.kind !== "mask" && r.kind !== "ip") return;
    if (typeof r.pattern !== "string" || typeof r.setAt !== "number") return;
    const ban: ServerBan = {
      kind: r.kind,
      pattern: r.pattern,
      reason: String(r.reason ?? ""),
      setBy: String(r.setBy ?? "operator"),
      setAt: r.setAt,
    };
    if (typeof r.expiresAt === "number") ban.expiresAt = r.expiresAt;
    const removed = banFromNetwork(this.core, ban);
    this.log(`server ban ${ban.pattern} from node ${String(r.node)}: ${removed} removed here`);
  }

  /** Everything a new node needs to know about this one: bans, rooms, then users in them. */
  private snapshot(): void {
    const now = this.core.now();
    for (const ban of this.core.admission.bans.list(now)) this.banAdded(ban);
    for (const claim of this.core.accounts.store.all(now)) {
      this.bus.control({ k: "claim", node: this.core.node, c: { op: "put", claim } });
    }
    for (const room of this.core.registry.rooms.values()) {
      let local = false;
      for (const m of room.members.keys()) if (m.id > 0) local = true;
      if (!local) continue;
      this.bus.control({ k: "room", node: this.core.node, ...room.toState() });
    }
    for (const s of this.held.keys()) this.bus.control({ k: "user", ...this.record(s, true) });
  }

  private record(s: Session, withRooms: boolean): UserRecord & { node: string } {
    const r: UserRecord & { node: string } = {
      node: this.core.node,
      conn: s.id,
      nick: s.nick ?? "*",
      user: s.user,
      host: s.host,
      realname: s.realname,
    };
    if (s.away !== undefined) r.away = s.away;
    if (withRooms) {
      r.rooms = [...s.joined.values()].map((room) => [room.name, room.members.get(s) ?? 0]);
    }
    return r;
  }
}
