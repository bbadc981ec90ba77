/**
 * ChatServer: the registry of nicks and rooms (casefolded with rfc1459), the core
 * actions every front uses (register, nick, join, part, send, topic, who, quit),
 * housekeeping (PING, timeouts, plain-mode detection, flood backlog) on one timer,
 * and the serialize-once fan-out of room events received from the bus.
 * Knows nothing about sockets: it sees `Conn` and answers with `ConnHandler`.
 */
import type { MessageBus } from "../bus/bus.ts";
import type { BusEvent, MessageEvent, RoomEvent, UserEvent } from "../bus/events.ts";
import { LocalBus } from "../bus/local.ts";
import { foldCase } from "../protocol/casemap.ts";
import { byteLength, clipBytes, isValidNick } from "../protocol/text.ts";
import { capList, checkJoinPart, checkNickChange } from "../security/abuse.ts";
import { addressKey } from "../security/address.ts";
import { globMatch, normalizeMask as normalizeBanMask } from "../security/bans.ts";
import { passwordLockout } from "../security/lockout.ts";
import { secretsEqual } from "../security/password.ts";
import { nickClaimed } from "../security/privacy.ts";
import { humanSeconds } from "../security/rate-limit.ts";
import type { HistoryEntry, HistoryStore } from "../store/store.ts";
import type { Conn, ConnHandler } from "../transport/conn.ts";
import { Channel, OP, prefixOf, VOICE } from "./channel.ts";
import { ChatError } from "./errors.ts";
import type { JoinedInfo, PlainFrontFactory, WhoEntry, WhoisInfo } from "./front.ts";
import { VARIANT_COUNT } from "./front.ts";
import { enforceServerBan, ipBanFor } from "./handlers/oper.ts";
import { IrcFront } from "./irc-front.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { Session } from "./session.ts";

export interface OperLogin {
  name: string;
  /** Checks a password against the stored hash (async: hashing runs off the event loop). */
  verify(password: string): boolean | Promise<boolean>;
}

export interface ChatServerOptions {
  store: HistoryStore;
  bus?: MessageBus;
  limits?: Partial<Limits>;
  serverName?: string;
  network?: string;
  version?: string;
  password?: string;
  motd?: string;
  opers?: OperLogin[];
  /** Without a factory every connection is treated as IRC (no human detection). */
  plainFront?: PlainFrontFactory;
  /** One line per connect/disconnect (stderr in `chat serve`); omit to stay silent. */
  log?: (line: string) => void;
  now?: () => number;
}

export interface ModeChange {
  sign: "+" | "-";
  mode: string;
  param?: string;
}

const ROOM_TOPIC = "rooms";
const USER_TOPIC = "users";
const encoder = new TextEncoder();

export class ChatServer {
  readonly limits: Limits;
  readonly store: HistoryStore;
  readonly bus: MessageBus;
  readonly serverName: string;
  readonly network: string;
  readonly version: string;
  readonly createdAt: number;
  readonly password: string | undefined;
  readonly motd: string | undefined;
  readonly opers: OperLogin[];
  readonly now: () => number;
  readonly sessions = new Set<Session>();
  private readonly byId = new Map<number, Session>();
  readonly nicks = new Map<string, Session>();
  readonly channels = new Map<string, Channel>();
  /** Sessions with lines held back by the flood bucket. */
  readonly throttled = new Set<Session>();
  private readonly perIp = new Map<string, number>();
  private readonly plainFront: PlainFrontFactory | undefined;
  private readonly log: (line: string) => void;
  private readonly unsubscribe: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private nextId = 1;
  private stampCounter = 0;
  private msgSeq = 0;
  private readonly bootId: string;
  /** Fan-out cache: one rendering per variant per event. Reused to avoid allocation. */
  private readonly cache: (Uint8Array | null | undefined)[] = new Array(VARIANT_COUNT);
  /** WHOWAS: newest last. */
  readonly whowas: { nick: string; user: string; host: string; realname: string; at: number }[] =
    [];
  closing = false;

  constructor(opts: ChatServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.store = opts.store;
    this.bus = opts.bus ?? new LocalBus();
    this.serverName = opts.serverName ?? "chat.server";
    this.network = opts.network ?? "chat";
    this.version = opts.version ?? "chat-dev";
    this.password = opts.password;
    this.motd = opts.motd;
    this.opers = opts.opers ?? [];
    this.plainFront = opts.plainFront;
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? monotonicClock(Date.now);
    this.createdAt = this.now();
    this.bootId = this.createdAt.toString(36);
    for (const room of this.store.loadRooms()) {
      const ch = Channel.fromState(room);
      this.channels.set(ch.folded, ch);
    }
    this.unsubscribe.push(this.bus.subscribe(ROOM_TOPIC, (ev) => this.deliver(ev)));
    this.unsubscribe.push(this.bus.subscribe(USER_TOPIC, (ev) => this.deliver(ev)));
    this.timer = setInterval(() => this.tick(), this.limits.tickMs);
  }

  // ---------------------------------------------------------------- connections

  /**
   * User counts for LUSERS. Registered/unknown are exact counters; invisible and
   * operators need a walk over every session, and every welcome burst shows them,
   * so that walk is reused for a second: 20,000 clients connecting at once must
   * not cost 20,000 x 20,000 steps.
   */
  counts(): { users: number; invisible: number; unknown: number; opers: number } {
    const now = this.now();
    if (now - this.walkAt >= 1000) {
      let invisible = 0;
      let opers = 0;
      for (const s of this.sessions) {
        if (s.registered && s.umodes.has("i")) invisible++;
        if (s.oper) opers++;
      }
      this.walked = { invisible, opers };
      this.walkAt = now;
    }
    const invisible = Math.min(this.walked.invisible, this.registeredCount);
    return {
      users: this.registeredCount - invisible,
      invisible,
      unknown: this.sessions.size - this.registeredCount,
      opers: this.walked.opers,
    };
  }
  private walked = { invisible: 0, opers: 0 };
  private walkAt = Number.NEGATIVE_INFINITY;
  private registeredCount = 0;

  /** Write one line to the server log (stderr unless --quiet). */
  logLine(line: string): void {
    this.log(line);
  }

  /** The transport's Acceptor. Refusals get a clear ERROR line and are closed. */
  accept(conn: Conn): ConnHandler | undefined {
    const ip = conn.remoteAddress;
    if (this.closing) {
      conn.close(encoder.encode("ERROR :Server shutting down\r\n"));
      return undefined;
    }
    if (this.sessions.size >= this.limits.maxConnections) {
      conn.close(encoder.encode("ERROR :Server full: too many connections, try again later\r\n"));
      this.log(`refused ${ip}: total connection limit (${this.limits.maxConnections})`);
      return undefined;
    }
    const wait = passwordLockout(this, this.limits, ip, this.now());
    if (wait > 0) {
      conn.close(
        encoder.encode(
          `ERROR :Too many wrong passwords from your address; try again in ${humanSeconds(wait)}\r\n`,
        ),
      );
      this.log(`refused ${ip}: too many wrong passwords`);
      return undefined;
    }
    const banned = ipBanFor(this, ip);
    if (banned !== undefined) {
      conn.close(encoder.encode(`ERROR :${banned}\r\n`));
      this.log(`refused ${ip}: server ban (DLINE)`);
      return undefined;
    }
    // IPv6 counts per /64: one user usually holds a whole prefix.
    const key = addressKey(ip);
    const count = this.perIp.get(key) ?? 0;
    if (count >= this.limits.maxConnectionsPerIp) {
      conn.close(
        encoder.encode(
          `ERROR :Too many connections from your address (limit ${this.limits.maxConnectionsPerIp})\r\n`,
        ),
      );
      this.log(`refused ${ip}: per-address connection limit`);
      return undefined;
    }
    this.perIp.set(key, count + 1);
    const id = this.nextId++;
    const front = new IrcFront(this);
    const session = new Session(id, conn, this, front);
    front.session = session;
    // Without a plain front there is nothing to decide: every connection is IRC.
    if (this.plainFront === undefined) session.mode = "irc";
    this.sessions.add(session);
    this.byId.set(id, session);
    this.log(`connect ${ip} (id ${id})`);
    return session;
  }

  /** Run one input line through the session's front, containing any exception to it. */
  runLine(s: Session, text: string): void {
    try {
      s.front.line(text);
    } catch (err) {
      if (err instanceof ChatError) {
        s.front.error(err);
        return;
      }
      this.log(`internal error on connection ${s.id}: ${err instanceof Error ? err.stack : err}`);
      this.disconnect(s, "Internal server error");
    }
  }

  inputTooLong(s: Session): void {
    if (s.front.kind === "irc") (s.front as IrcFront).inputTooLong();
    else s.front.notice("That line was too long and was not sent.");
  }

  switchToPlain(s: Session, tentative: boolean): void {
    if (this.plainFront === undefined) {
      s.mode = "irc";
      return;
    }
    s.mode = tentative ? "plain-tentative" : "plain";
    s.front = this.plainFront(s);
    s.updateVariant();
    s.front.start();
  }

  switchToIrc(s: Session): void {
    const front = new IrcFront(this);
    front.session = s;
    s.front = front;
    s.mode = "irc";
    s.updateVariant();
  }

  /** Remove a session everywhere and close its connection. Idempotent. */
  disconnect(s: Session, reason: string): void {
    if (s.gone) return;
    s.gone = true;
    this.sessions.delete(s);
    if (s.registered) this.registeredCount--;
    this.throttled.delete(s);
    s.backlog = undefined;
    const ip = s.conn.remoteAddress;
    const key = addressKey(ip);
    const n = (this.perIp.get(key) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(key);
    else this.perIp.set(key, n);
    if (s.registered && s.nick !== undefined) {
      if (s.joined.size > 0) {
        this.bus.publish(USER_TOPIC, {
          type: "quit",
          source: s.prefix,
          text: reason,
          time: this.now(),
          senderId: s.id,
        });
      }
      this.rememberWhowas(s);
    }
    for (const ch of s.joined.values()) this.removeMember(ch, s);
    s.clearRooms();
    this.moveInvites(s, s.folded, undefined);
    this.byId.delete(s.id);
    if (s.folded !== undefined && this.nicks.get(s.folded) === s) this.nicks.delete(s.folded);
    if (!s.conn.closed) s.conn.close(s.front.farewell(reason));
    this.log(`disconnect ${ip} (id ${s.id}${s.nick ? `, ${s.nick}` : ""}): ${reason}`);
  }

  private rememberWhowas(s: Session): void {
    if (s.nick === undefined) return;
    this.whowas.push({
      nick: s.nick,
      user: s.user,
      host: s.host,
      realname: s.realname,
      at: this.now(),
    });
    if (this.whowas.length > this.limits.whowasEntries) this.whowas.shift();
  }

  /** Housekeeping for every connection on one timer: no per-connection timers. */
  tick(): void {
    const now = this.now();
    const l = this.limits;
    for (const s of this.throttled) {
      if (!s.drainBacklog(now)) this.throttled.delete(s);
    }
    for (const s of this.sessions) {
      if (s.mode === "undecided" && now - s.connectedAt >= l.plainDetectMs) {
        this.switchToPlain(s, true);
      }
      if (!s.registered) {
        const limit =
          s.mode === "plain" || s.mode === "plain-tentative"
            ? l.plainRegistrationTimeoutMs
            : l.registrationTimeoutMs;
        if (now - s.connectedAt >= limit) this.disconnect(s, "Registration timeout");
        continue;
      }
      if (s.pingSentAt !== 0) {
        if (now - s.pingSentAt >= l.pingTimeoutMs) {
          this.disconnect(s, `Ping timeout: ${Math.round((now - s.pingSentAt) / 1000)} seconds`);
        }
      } else if (s.front.kind === "irc" && now - s.lastActive >= l.pingIdleMs) {
        // Only IRC clients can answer PING; a quiet nc reader is not a dead peer.
        s.pingSentAt = now;
        s.conn.send(encoder.encode(`PING :${this.serverName}\r\n`));
      }
    }
  }

  /** Tell every client, close every connection, stop the timer. The caller flushes and closes the store. */
  shutdown(reason = "Server shutting down"): void {
    this.closing = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of [...this.sessions]) {
      s.gone = true;
      this.sessions.delete(s);
      this.byId.delete(s.id);
      // A human on nc gets a sentence, not an IRC ERROR line.
      s.conn.close(
        s.front.kind === "plain"
          ? s.front.farewell(reason)
          : encoder.encode(`ERROR :${reason}\r\n`),
      );
      this.log(
        `disconnect ${s.conn.remoteAddress} (id ${s.id}${s.nick ? `, ${s.nick}` : ""}): ${reason}`,
      );
    }
    this.registeredCount = 0;
    for (const u of this.unsubscribe) u();
  }

  // ---------------------------------------------------------------- registration and nicks

  validNick(nick: string): boolean {
    return isValidNick(nick, this.limits.nickLen);
  }

  validChannel(name: string): boolean {
    return (
      name.length >= 2 &&
      name.length <= this.limits.channelLen &&
      name.charCodeAt(0) === 35 /* # */ &&
      !/[\s,\x07\x00:]/.test(name)
    );
  }

  /** A free nick close to `nick` (for "nick taken" hints). */
  suggestNick(nick: string): string {
    const base = (this.validNick(nick) ? nick : "guest").slice(0, this.limits.nickLen - 3);
    for (const suffix of ["_", "__", "1", "2", "3"]) {
      const c = base + suffix;
      if (!this.nicks.has(foldCase(c))) return c;
    }
    for (;;) {
      const c = base + String(Math.floor(Math.random() * 1000));
      if (!this.nicks.has(foldCase(c))) return c;
    }
  }

  /** Claim or change a nick. Registered users' changes are seen by everyone who shares a room. */
  setNick(s: Session, nick: string): void {
    if (nick === "") throw new ChatError("noNicknameGiven");
    if (!this.validNick(nick)) throw new ChatError("erroneusNickname", [nick]);
    const folded = foldCase(nick);
    const holder = this.nicks.get(folded);
    if (holder !== undefined && holder !== s) throw new ChatError("nicknameInUse", [nick]);
    if (s.nick === nick) return;
    if (!s.registered) {
      if (s.folded !== undefined && this.nicks.get(s.folded) === s) this.nicks.delete(s.folded);
      if (s.folded !== folded) nickClaimed(s, this.now(), this.newMsgid());
      this.nicks.set(folded, s);
      s.setIdentity(nick, folded);
      return;
    }
    checkNickChange(this.limits, s, nick, this.now());
    const oldPrefix = s.prefix;
    const oldFolded = s.folded;
    this.rememberWhowas(s);
    if (s.folded !== undefined && this.nicks.get(s.folded) === s) this.nicks.delete(s.folded);
    // A different nick (not just another spelling) starts a new private-history window.
    if (s.folded !== folded) nickClaimed(s, this.now(), this.newMsgid());
    this.nicks.set(folded, s);
    s.setIdentity(nick, folded);
    this.moveInvites(s, oldFolded, folded);
    const ev: UserEvent = {
      type: "nick",
      source: oldPrefix,
      text: nick,
      time: this.now(),
      senderId: s.id,
    };
    this.bus.publish(USER_TOPIC, ev);
  }

  /**
   * Pending invites belong to the person, not the nick: they follow a nick
   * change, and vanish when the user leaves, so whoever takes the nick next
   * does not inherit a way into an invite-only room.
   */
  private moveInvites(s: Session, from: string | undefined, to: string | undefined): void {
    if (s.invitedTo === undefined || from === undefined) return;
    for (const ch of s.invitedTo) {
      if (!ch.invites.delete(from)) continue;
      if (to !== undefined) ch.invites.add(to);
    }
    if (to === undefined) s.invitedTo = undefined;
  }

  /** The plain front's registration: nick + an ident derived from it, no IRC burst. */
  registerPlain(s: Session, nick: string): void {
    if (s.registered) throw new ChatError("alreadyRegistered");
    this.setNick(s, nick);
    s.user = `~${nick.slice(0, 9)}`;
    s.realname = nick;
    this.completeRegistration(s);
  }

  /** Marks a session registered once nick and user are known. Password checks are the caller's. */
  completeRegistration(s: Session): void {
    if (s.nick === undefined || s.folded === undefined) throw new ChatError("notRegistered");
    // A server ban (KLINE/DLINE) ends the connection here, before any welcome;
    // the throw stops the caller from going on (joining #lobby, sending 001).
    if (enforceServerBan(this, s)) {
      throw new ChatError("youreBannedCreep", [], "You are banned from this server");
    }
    s.registered = true;
    this.registeredCount++;
    s.setIdentity(s.nick, s.folded);
    s.lastActive = this.now();
    this.log(`registered ${s.conn.remoteAddress} (id ${s.id}) as ${s.nick}`);
  }

  // ---------------------------------------------------------------- rooms

  getChannel(name: string): Channel | undefined {
    return this.channels.get(foldCase(name));
  }

  join(s: Session, name: string, key: string | undefined): void {
    if (!this.validChannel(name)) throw new ChatError("noSuchChannel", [name]);
    const folded = foldCase(name);
    if (s.joined.has(folded)) return;
    if (s.joined.size >= this.limits.maxChannelsPerUser) {
      throw new ChatError("tooManyChannels", [name]);
    }
    checkJoinPart(this.limits, s, name, this.now());
    let ch = this.channels.get(folded);
    let status = 0;
    if (ch === undefined) {
      ch = new Channel(name, this.now());
      this.channels.set(folded, ch);
      status = OP;
    } else {
      const invited = s.folded !== undefined && ch.invites.has(s.folded);
      if (ch.key !== undefined && !secretsEqual(key ?? "", ch.key) && !invited) {
        throw new ChatError("badChannelKey", [ch.name]);
      }
      if (ch.limit !== undefined && ch.members.size >= ch.limit && !invited) {
        throw new ChatError("channelIsFull", [ch.name]);
      }
      if (ch.flags.has("i") && !invited) throw new ChatError("inviteOnlyChan", [ch.name]);
      if (!invited && this.isBanned(ch, s)) throw new ChatError("bannedFromChan", [ch.name]);
      if (s.folded !== undefined) ch.invites.delete(s.folded);
      // The first one into an empty (persistent) room runs it.
      if (ch.members.size === 0) status = OP;
    }
    ch.members.set(s, status);
    s.addRoom(folded, ch);
    s.updateVariant();
    this.bus.publish(ROOM_TOPIC, {
      type: "join",
      channel: ch.name,
      source: s.prefix,
      realname: s.realname,
      time: this.now(),
      senderId: s.id,
    });
    if (s.away !== undefined) this.announceAwayOnJoin(s, ch);
    s.front.joined(this.joinedInfo(ch, s));
    if (!s.hasCap("draft/chathistory") && !s.hasCap("chathistory")) {
      const entries = this.store.latest(ch.folded, this.limits.joinHistory);
      if (entries.length > 0) s.front.replay(ch.name, entries);
    }
  }

  /** away-notify: room-mates learn right away that someone who just joined is away. */
  private announceAwayOnJoin(s: Session, ch: Channel): void {
    const ev: UserEvent = {
      type: "away",
      source: s.prefix,
      text: s.away ?? "",
      time: this.now(),
      senderId: s.id,
    };
    this.cache.fill(undefined);
    for (const m of ch.members.keys()) {
      if (m === s || !m.hasCap("away-notify")) continue;
      this.sendRendered(m, ev);
    }
  }

  joinedInfo(ch: Channel, viewer: Session): JoinedInfo {
    const multi = viewer.hasCap("multi-prefix");
    // Bounded reply: a huge room must not turn one NAMES into megabytes of output.
    const { shown, note } = capList([...ch.members], this.limits.maxListMembers, ch.name);
    if (note !== undefined) viewer.front.notice(note);
    const info: JoinedInfo = {
      channel: ch.name,
      members: shown.map(([m, st]) => ({
        nick: m.nick ?? "*",
        prefix: prefixOf(st, multi),
        userhost: m.prefix,
      })),
    };
    if (ch.topic !== undefined) info.topic = ch.topic;
    return info;
  }

  part(s: Session, name: string, reason: string | undefined): void {
    const folded = foldCase(name);
    const ch = this.channels.get(folded);
    if (ch === undefined) throw new ChatError("noSuchChannel", [name]);
    if (!ch.members.has(s)) throw new ChatError("notOnChannel", [ch.name]);
    checkJoinPart(this.limits, s, ch.name, this.now());
    const ev: RoomEvent = {
      type: "part",
      channel: ch.name,
      source: s.prefix,
      time: this.now(),
      senderId: s.id,
    };
    if (reason !== undefined && reason !== "") {
      ev.reason = clipBytes(reason, LINE_BYTES - byteLength(`:${s.prefix} PART ${ch.name} :`));
    }
    this.bus.publish(ROOM_TOPIC, ev);
    this.removeMember(ch, s);
    s.deleteRoom(folded);
    s.updateVariant();
  }

  /** Drop a member; an empty room with nothing worth keeping disappears. */
  removeMember(ch: Channel, s: Session): void {
    ch.members.delete(s);
    if (ch.members.size === 0 && !ch.persistent) this.channels.delete(ch.folded);
  }

  isBanned(ch: Channel, s: Session): boolean {
    if (ch.bans.length === 0) return false;
    // globMatch applies the casemapping itself.
    return ch.bans.some((b) => globMatch(b.mask, s.prefix));
  }

  topic(
    s: Session,
    name: string,
    text: string | undefined,
  ): { text: string; setBy: string; setAt: number } | undefined {
    const ch = this.getChannel(name);
    if (ch === undefined) throw new ChatError("noSuchChannel", [name]);
    if (text === undefined) {
      return ch.topic;
    }
    if (!ch.members.has(s)) throw new ChatError("notOnChannel", [ch.name]);
    if (ch.flags.has("t") && !ch.isOp(s)) throw new ChatError("chanOpPrivsNeeded", [ch.name]);
    // TOPICLEN, and never so long that the relayed TOPIC line passes 512 bytes.
    const room = LINE_BYTES - byteLength(`:${s.prefix} TOPIC ${ch.name} :`);
    const clipped = clipBytes(text, Math.min(this.limits.topicLen, room));
    const now = this.now();
    ch.topic = clipped === "" ? undefined : { text: clipped, setBy: s.prefix, setAt: now };
    this.saveRoom(ch);
    this.bus.publish(ROOM_TOPIC, {
      type: "topic",
      channel: ch.name,
      source: s.prefix,
      text: clipped,
      time: now,
      senderId: s.id,
    });
    return ch.topic;
  }

  /** KICK: an operator removes a member. */
  kick(s: Session, name: string, victimNick: string, reason: string): void {
    const ch = this.getChannel(name);
    if (ch === undefined) throw new ChatError("noSuchChannel", [name]);
    if (!s.oper) {
      if (!ch.members.has(s)) throw new ChatError("notOnChannel", [ch.name]);
      if (!ch.isOp(s)) throw new ChatError("chanOpPrivsNeeded", [ch.name]);
    }
    const victim = this.nicks.get(foldCase(victimNick));
    if (victim === undefined || !ch.members.has(victim)) {
      throw new ChatError("userNotInChannel", [victimNick, ch.name]);
    }
    this.bus.publish(ROOM_TOPIC, {
      type: "kick",
      channel: ch.name,
      source: s.prefix,
      victim: victim.nick ?? victimNick,
      // KICKLEN, and never so long that the relayed KICK line passes 512 bytes.
      reason: clipBytes(
        reason,
        Math.min(
          this.limits.kickLen,
          LINE_BYTES - byteLength(`:${s.prefix} KICK ${ch.name} ${victim.nick ?? victimNick} :`),
        ),
      ),
      time: this.now(),
      senderId: s.id,
    });
    this.removeMember(ch, victim);
    victim.deleteRoom(ch.folded);
    victim.updateVariant();
  }

  /** INVITE: returns the invitee so the front can confirm with RPL_INVITING. */
  invite(s: Session, nick: string, name: string): Session {
    const invitee = this.nicks.get(foldCase(nick));
    if (invitee === undefined || !invitee.registered) throw new ChatError("noSuchNick", [nick]);
    const ch = this.getChannel(name);
    if (ch !== undefined) {
      if (!ch.members.has(s)) throw new ChatError("notOnChannel", [ch.name]);
      if (ch.members.has(invitee)) {
        throw new ChatError("userOnChannel", [invitee.nick ?? nick, ch.name]);
      }
      if (ch.flags.has("i") && !ch.isOp(s)) throw new ChatError("chanOpPrivsNeeded", [ch.name]);
      if (invitee.folded !== undefined) {
        ch.invites.add(invitee.folded);
        if (invitee.invitedTo === undefined) invitee.invitedTo = new Set();
        invitee.invitedTo.add(ch);
      }
    }
    const channel = ch?.name ?? name;
    const line = `:${s.prefix} INVITE ${invitee.nick} ${channel}`;
    if (invitee.front.kind === "irc") invitee.conn.send(encoder.encode(`${line}\r\n`));
    else invitee.front.notice(`${s.nick} invites you to ${channel} (type /join ${channel})`);
    return invitee;
  }

  /** AWAY: set (text) or clear (undefined); away-notify clients sharing a room are told. */
  setAway(s: Session, text: string | undefined): void {
    const clipped =
      text === undefined || text === "" ? undefined : clipBytes(text, this.limits.awayLen);
    if (clipped === s.away) return;
    s.away = clipped;
    this.bus.publish(USER_TOPIC, {
      type: "away",
      source: s.prefix,
      text: clipped ?? "",
      time: this.now(),
      senderId: s.id,
    });
  }

  /**
   * Apply channel mode changes by an operator. `changes` are already parsed;
   * returns the applied ones (mode string + params) after publishing them.
   */
  applyChannelModes(s: Session, ch: Channel, changes: ModeChange[]): string[] {
    if (!ch.isOp(s) && !s.oper) throw new ChatError("chanOpPrivsNeeded", [ch.name]);
    let modeStr = "";
    let lastSign = "";
    const params: string[] = [];
    let stateChanged = false;
    const push = (sign: string, mode: string, param?: string): void => {
      if (sign !== lastSign) {
        modeStr += sign;
        lastSign = sign;
      }
      modeStr += mode;
      if (param !== undefined) params.push(param);
    };
    // A bad change (unknown nick, bad key) must not hide the ones already applied
    // to the room: they are still announced, then the first error is reported.
    let failed: ChatError | undefined;
    for (const c of changes) {
      const add = c.sign === "+";
      try {
        switch (c.mode) {
          case "i":
          case "m":
          case "n":
          case "t":
            if (ch.flags.has(c.mode) === add) break;
            if (add) ch.flags.add(c.mode);
            else ch.flags.delete(c.mode);
            stateChanged = true;
            push(c.sign, c.mode);
            break;
          case "k":
            if (add) {
              const key = c.param ?? "";
              if (key === "" || /[\s,:]/.test(key) || key.length > 23) {
                throw new ChatError("invalidKey", [ch.name]);
              }
              ch.key = key;
              push("+", "k", key);
            } else {
              if (ch.key === undefined) break;
              ch.key = undefined;
              push("-", "k", "*");
            }
            stateChanged = true;
            break;
          case "l":
            if (add) {
              const n = Number(c.param);
              if (!/^\d+$/.test(c.param ?? "") || n < 1 || n > 1_000_000) {
                throw new ChatError(
                  "invalidModeParam",
                  [ch.name, "l", c.param ?? "*"],
                  "Invalid limit",
                );
              }
              ch.limit = n;
              push("+", "l", String(n));
            } else {
              if (ch.limit === undefined) break;
              ch.limit = undefined;
              push("-", "l");
            }
            stateChanged = true;
            break;
          case "b": {
            const mask = normalizeMask(c.param ?? "");
            const exists = ch.bans.findIndex((b) => foldCase(b.mask) === foldCase(mask));
            if (add) {
              if (exists !== -1) break;
              if (ch.bans.length >= 100) break;
              ch.bans.push({ mask, setBy: s.prefix, setAt: this.now() });
            } else {
              if (exists === -1) break;
              ch.bans.splice(exists, 1);
            }
            stateChanged = true;
            push(c.sign, "b", mask);
            break;
          }
          case "o":
          case "v": {
            const nick = c.param ?? "";
            const target = this.nicks.get(foldCase(nick));
            // No such user at all is 401, as InspIRCd says; 441 is for someone elsewhere.
            if (target === undefined || !target.registered)
              throw new ChatError("noSuchNick", [nick]);
            const status = ch.members.get(target);
            if (status === undefined) throw new ChatError("userNotInChannel", [nick, ch.name]);
            const bit = c.mode === "o" ? OP : VOICE;
            const next = add ? status | bit : status & ~bit;
            if (next === status) break;
            ch.members.set(target, next);
            push(c.sign, c.mode, target.nick);
            break;
          }
          default:
            throw new ChatError(
              "unknownMode",
              [c.mode],
              `is unknown mode char to me for ${ch.name}`,
            );
        }
      } catch (err) {
        if (!(err instanceof ChatError)) throw err;
        failed ??= err;
      }
    }
    if (modeStr === "") {
      if (failed !== undefined) throw failed;
      return [];
    }
    if (stateChanged) this.saveRoom(ch);
    const modes = [modeStr, ...params];
    this.bus.publish(ROOM_TOPIC, {
      type: "mode",
      channel: ch.name,
      source: s.prefix,
      modes,
      time: this.now(),
      senderId: s.id,
    });
    if (failed !== undefined) throw failed;
    return modes;
  }

  saveRoom(ch: Channel): void {
    if (ch.persistent) this.store.saveRoom(ch.toState());
    else this.store.deleteRoom(ch.name);
  }

  who(s: Session, name: string): WhoEntry[] {
    const ch = this.getChannel(name);
    if (ch !== undefined) {
      const { shown, note } = capList([...ch.members], this.limits.maxListMembers, ch.name);
      if (note !== undefined) s.front.notice(note);
      return shown.map(([m, st]) => whoEntry(m, prefixOf(st, false)));
    }
    const target = this.nicks.get(foldCase(name));
    if (target?.registered) return [whoEntry(target, "")];
    return [];
  }

  /** The plain front's /whois: what an IRC client's WHOIS shows, as data. */
  whois(name: string): WhoisInfo {
    const m = this.nicks.get(foldCase(name));
    if (m === undefined || !m.registered || m.nick === undefined) {
      throw new ChatError("noSuchNick", [name]);
    }
    return {
      nick: m.nick,
      user: m.user,
      host: m.host,
      realname: m.realname,
      rooms: [...m.joined.values()].map((ch) => prefixOf(ch.members.get(m) ?? 0, false) + ch.name),
      away: m.away,
      idleSeconds: Math.max(0, Math.floor((this.now() - m.lastSpoke) / 1000)),
      plain: m.front.kind === "plain",
    };
  }

  quit(s: Session, reason: string): void {
    const room = LINE_BYTES - byteLength(`:${s.prefix} QUIT :Quit: `);
    this.disconnect(s, `Quit: ${clipBytes(reason, room)}`);
  }

  // ---------------------------------------------------------------- messages

  newMsgid(): string {
    this.msgSeq++;
    return `${this.bootId}-${this.msgSeq.toString(36)}`;
  }

  /**
   * PRIVMSG/NOTICE to one target (a room or a nick). Appends to history, then
   * fans out. Returns the event so the IRC front can add RPL_AWAY and the like.
   */
  sendMessage(
    s: Session,
    command: "PRIVMSG" | "NOTICE",
    target: string,
    text: string,
    clientTags: [string, string][] | undefined,
  ): { away?: string; nick?: string } {
    if (!s.registered || s.nick === undefined) throw new ChatError("notRegistered");
    if (target === "") throw new ChatError("noRecipient", [], `No recipient given (${command})`);
    if (text === "") throw new ChatError("noTextToSend");
    const now = this.now();
    s.lastSpoke = now;
    const ev: MessageEvent = {
      type: "message",
      target,
      command,
      source: s.prefix,
      text,
      msgid: this.newMsgid(),
      time: now,
      senderId: s.id,
    };
    if (clientTags !== undefined && clientTags.length > 0) ev.clientTags = clientTags;
    if (target.charCodeAt(0) === 35 /* # */) {
      const ch = this.getChannel(target);
      if (ch === undefined) throw new ChatError("noSuchChannel", [target]);
      this.checkCanSend(s, ch);
      ev.target = ch.name;
      fitRelayed(ev);
      this.store.append(toEntry(ev, ch.folded));
      this.bus.publish(ROOM_TOPIC, ev);
      return {};
    }
    const dest = this.nicks.get(foldCase(target));
    if (dest === undefined || !dest.registered || dest.nick === undefined) {
      throw new ChatError("noSuchNick", [target]);
    }
    ev.target = dest.nick;
    fitRelayed(ev);
    const key = [s.folded as string, dest.folded as string].sort().join(" ");
    this.store.append(toEntry(ev, key));
    let bytes: Uint8Array | null = null;
    try {
      bytes = dest.front.direct(ev);
    } catch (err) {
      // The recipient's front failed: cut off the recipient, not the sender.
      this.log(
        `internal error rendering for connection ${dest.id}: ${err instanceof Error ? err.stack : err}`,
      );
      queueMicrotask(() => this.disconnect(dest, "Internal server error"));
    }
    if (bytes !== null) dest.conn.send(bytes);
    if (dest !== s && s.hasCap("echo-message")) {
      const echo = s.front.direct(ev);
      if (echo !== null) s.conn.send(echo);
    }
    const result: { away?: string; nick?: string } = { nick: dest.nick };
    if (dest.away !== undefined) result.away = dest.away;
    return result;
  }

  /** +n keeps outsiders out; +m and bans silence all but voiced members and operators. */
  private checkCanSend(s: Session, ch: Channel): void {
    const status = ch.members.get(s);
    if (status === undefined && ch.flags.has("n")) {
      throw new ChatError("cannotSendToChan", [ch.name]);
    }
    if (!status) {
      if (ch.flags.has("m")) throw new ChatError("cannotSendToChan", [ch.name]);
      if (this.isBanned(ch, s)) throw new ChatError("cannotSendToChan", [ch.name]);
    }
  }

  /**
   * TAGMSG: client-only tags (typing notifications, reactions) with no text.
   * Ephemeral and only for message-tags clients, so it is neither stored nor
   * carried as a bus event (plain fronts have nothing to show for it): it is
   * delivered here to local recipients, serialized once per variant.
   */
  sendTagmsg(s: Session, target: string, clientTags: [string, string][]): void {
    if (!s.registered || s.nick === undefined) throw new ChatError("notRegistered");
    const msgid = this.newMsgid();
    const time = this.now();
    let recipients: Iterable<Session>;
    let shownTarget: string;
    if (target.charCodeAt(0) === 35 /* # */) {
      const ch = this.getChannel(target);
      if (ch === undefined) throw new ChatError("noSuchChannel", [target]);
      this.checkCanSend(s, ch);
      recipients = ch.members.keys();
      shownTarget = ch.name;
    } else {
      const dest = this.nicks.get(foldCase(target));
      if (dest === undefined || !dest.registered || dest.nick === undefined) {
        throw new ChatError("noSuchNick", [target]);
      }
      recipients = dest === s ? [s] : [dest, s];
      shownTarget = dest.nick;
    }
    const cache = this.cache;
    cache.fill(undefined);
    for (const m of recipients) {
      if (!m.hasCap("message-tags")) continue;
      if (m === s && !m.hasCap("echo-message")) continue;
      const v = m.variant;
      let bytes = cache[v];
      if (bytes === undefined) {
        bytes = (m.front as IrcFront).renderTagmsg(s.prefix, shownTarget, msgid, time, clientTags);
        cache[v] = bytes;
      }
      if (bytes !== null) m.conn.send(bytes);
    }
  }

  /** Publish a user-wide change (AWAY) to everyone sharing a room. */
  publishUser(ev: UserEvent): void {
    this.bus.publish(USER_TOPIC, ev);
  }

  publishRoom(ev: RoomEvent): void {
    this.bus.publish(ROOM_TOPIC, ev);
  }

  // ---------------------------------------------------------------- fan-out

  /**
   * Deliver a bus event to the local sessions concerned. Serialized once per
   * variant: every member with the same variant is queued the same Uint8Array.
   */
  private deliver(ev: BusEvent): void {
    this.cache.fill(undefined);
    if (isUserEvent(ev)) {
      this.deliverUser(ev);
      return;
    }
    const ch = this.getChannel(ev.type === "message" ? ev.target : ev.channel);
    if (ch === undefined) return;
    const sender = ev.senderId;
    const isMessage = ev.type === "message";
    for (const m of ch.members.keys()) {
      if (isMessage && m.id === sender && !m.hasCap("echo-message")) continue;
      this.sendRendered(m, ev);
    }
  }

  private deliverUser(ev: UserEvent): void {
    const self = this.findSession(ev.senderId);
    if (self === undefined) return;
    const stamp = ++this.stampCounter;
    const away = ev.type === "away";
    const send = (m: Session): void => {
      if (m.stamp === stamp) return;
      m.stamp = stamp;
      if (away && !m.hasCap("away-notify")) return;
      this.sendRendered(m, ev);
    };
    // The user sees its own nick change; a quitting or away user is not told.
    if (ev.type === "nick") send(self);
    else self.stamp = stamp;
    for (const ch of self.joined.values()) {
      for (const m of ch.members.keys()) send(m);
    }
  }

  /**
   * Queue `ev` to `m`, rendered at most once per variant since the caller last
   * cleared `this.cache` (once per event, before its fan-out loop).
   */
  private sendRendered(m: Session, ev: BusEvent): void {
    const cache = this.cache;
    const v = m.variant;
    let bytes = cache[v];
    if (bytes === undefined) {
      bytes = this.render(m, ev);
      cache[v] = bytes;
    }
    if (bytes) m.conn.send(bytes);
  }

  /**
   * A front's rendering, contained: if it throws, only that recipient is cut off
   * (after the fan-out loop, which must not see the room change under it) and
   * everyone else still gets the event.
   */
  private render(m: Session, ev: BusEvent): Uint8Array | null | undefined {
    try {
      return m.front.render(ev);
    } catch (err) {
      this.log(
        `internal error rendering for connection ${m.id}: ${err instanceof Error ? err.stack : err}`,
      );
      queueMicrotask(() => this.disconnect(m, "Internal server error"));
      // Not cached: the next member of this variant renders for itself.
      return undefined;
    }
  }

  findSession(id: number): Session | undefined {
    return this.byId.get(id);
  }
}

function isUserEvent(ev: BusEvent): ev is UserEvent {
  return ev.type === "quit" || ev.type === "nick" || ev.type === "away";
}

function whoEntry(m: Session, prefix: string): WhoEntry {
  return {
    nick: m.nick ?? "*",
    user: m.user,
    host: m.host,
    realname: m.realname,
    away: m.away !== undefined,
    prefix,
  };
}

function toEntry(ev: MessageEvent, key: string): HistoryEntry {
  return {
    msgid: ev.msgid,
    time: ev.time,
    key,
    target: ev.target,
    source: ev.source,
    command: ev.command,
    text: ev.text,
  };
}

/** An IRC line without tags, CR LF excluded: what every client can take (RFC 1459). */
const LINE_BYTES = 510;

/**
 * A relayed message gains the sender's full prefix, so a 510-byte PRIVMSG would
 * reach others longer than 512 bytes, which many clients cut or drop. Like
 * InspIRCd, cut the text so the line that is relayed, echoed and stored fits.
 */
function fitRelayed(ev: MessageEvent): void {
  const room = Math.max(LINE_BYTES - byteLength(`:${ev.source} ${ev.command} ${ev.target} :`), 2);
  const clipped = clipBytes(ev.text, room);
  if (clipped === ev.text) return;
  // A cut CTCP (a long /me) keeps its closing \x01, so it still shows as an action.
  const ctcp = ev.text.length > 1 && ev.text.startsWith("\x01") && ev.text.endsWith("\x01");
  ev.text = ctcp ? `${clipBytes(ev.text, room - 1)}\x01` : clipped;
}

/** A channel ban mask in full form: `bob` -> `bob!*@*`; spaces and commas cannot be part of one. */
export function normalizeMask(mask: string): string {
  return normalizeBanMask(mask.replace(/[\s,]/g, "") || "*");
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
