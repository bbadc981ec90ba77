/**
 * Operator family: OPER, KILL and server-wide bans (KLINE by nick!user@host
 * mask, DLINE by IP address or CIDR range) with UNKLINE/UNDLINE to lift them.
 * Bans live in memory for the life of the server process.
 *
 * OPER verifies the password against its argon2id hash off the event loop
 * (Bun.password.verify runs on a worker thread), so OPER attempts cannot stall
 * everyone else; failed attempts are capped per connection and per address.
 */
import { foldCase } from "../../protocol/casemap.ts";
import type { IrcMessage } from "../../protocol/message.ts";
import { ERR, RPL } from "../../protocol/numerics.ts";
import { addressKey } from "../../security/address.ts";
import { type BanKind, isIpPattern, normalizeMask, ServerBans } from "../../security/bans.ts";
import { SlidingWindow } from "../../security/rate-limit.ts";
import { ChatError } from "../errors.ts";
import type { CommandContext } from "../irc-front.ts";
import type { ChatServer } from "../server.ts";
import type { Session } from "../session.ts";

/** Failed OPER attempts one connection may make before it is disconnected. */
export const OPER_TRIES = 3;
/** OPER attempts per address per minute: bounds password guessing across reconnects. */
const OPER_PER_IP = { max: 10, windowMs: 60_000 };

const bansByServer = new WeakMap<ChatServer, ServerBans>();
const operFailures = new WeakMap<Session, number>();
const operWindows = new WeakMap<ChatServer, Map<string, SlidingWindow>>();

/** The server-wide ban list of `server` (created on first use). */
export function serverBans(server: ChatServer): ServerBans {
  let b = bansByServer.get(server);
  if (b === undefined) {
    b = new ServerBans();
    bansByServer.set(server, b);
  }
  return b;
}

/** The ban that refuses this connection's address, for the acceptor. */
export function ipBanFor(server: ChatServer, ip: string): string | undefined {
  const ban = bansByServer.get(server)?.matchIp(ip);
  return ban === undefined ? undefined : `You are banned from this server: ${ban.reason}`;
}

/** Why this user is banned from the server (KLINE/DLINE), or undefined. Operators are exempt. */
export function serverBanReason(server: ChatServer, s: Session): string | undefined {
  if (s.oper || s.nick === undefined) return undefined;
  const ban = bansByServer.get(server)?.match({
    nick: s.nick,
    user: s.user,
    host: s.host,
    ip: s.conn.remoteAddress,
  });
  return ban === undefined ? undefined : `You are banned from this server: ${ban.reason}`;
}

/** Disconnect `s` if a server ban matches it, telling it why. Returns true if it was banned. */
export function enforceServerBan(server: ChatServer, s: Session): boolean {
  const why = serverBanReason(server, s);
  if (why === undefined) return false;
  s.front.error(new ChatError("youreBannedCreep", [], why));
  server.disconnect(s, why);
  return true;
}

function operWindow(server: ChatServer, ip: string): SlidingWindow {
  let m = operWindows.get(server);
  if (m === undefined) {
    m = new Map();
    operWindows.set(server, m);
  }
  let w = m.get(ip);
  if (w === undefined) {
    // Bounded: one small window per address that tried OPER, all forgotten past 10,000.
    if (m.size > 10_000) m.clear();
    w = new SlidingWindow(OPER_PER_IP);
    m.set(ip, w);
  }
  return w;
}

// OPER <name> <password>
export function oper(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const name = msg.params[0] ?? "";
  const password = msg.params[1] ?? "";
  if (s.oper) {
    irc.reply(RPL.YOUREOPER, "You are already an IRC operator");
    return;
  }
  const login = server.opers.find((o) => o.name === name);
  if (server.opers.length === 0) throw new ChatError("noOperHost");
  if (!operWindow(server, addressKey(s.conn.remoteAddress)).take(server.now())) {
    irc.notice("Too many OPER attempts from your address; try again in a minute.");
    return;
  }
  // An unknown name still costs a hash check, so names cannot be probed by timing.
  const check = login ?? server.opers[0];
  Promise.resolve(check?.verify(password) ?? false).then(
    (ok) => {
      if (s.gone) return;
      if (ok && login !== undefined) {
        s.oper = true;
        s.addUmode("o");
        operFailures.delete(s);
        irc.reply(RPL.YOUREOPER, "You are now an IRC operator");
        irc.msg("MODE", [s.nick ?? "*", "+o"], s.prefix);
        server.logLine(`oper ${s.nick} (${name}) from ${s.host}`);
        return;
      }
      const fails = (operFailures.get(s) ?? 0) + 1;
      operFailures.set(s, fails);
      irc.reply(ERR.PASSWDMISMATCH, "Password incorrect");
      if (fails >= OPER_TRIES) server.disconnect(s, "Too many failed OPER attempts");
    },
    () => {
      if (!s.gone) irc.reply(ERR.PASSWDMISMATCH, "Password incorrect");
    },
  );
}

function findNick(server: ChatServer, nick: string): Session | undefined {
  return server.nicks.get(foldCase(nick));
}

// KILL <nick> [:<reason>]
export function kill(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const nick = msg.params[0] ?? "";
  const target = findNick(server, nick);
  if (target === undefined) throw new ChatError("noSuchNick", [nick]);
  const reason = msg.params[1] ?? "no reason given";
  const why = `Killed by ${s.nick ?? "an operator"} (${reason})`;
  if (target.front.kind === "plain") target.front.notice(why);
  server.disconnect(target, why);
  if (target !== s) irc.notice(`Killed ${target.nick ?? nick}: ${reason}`);
}

/** Disconnect everyone (but operators) the new ban matches; returns how many. */
function applyBan(server: ChatServer): number {
  let n = 0;
  for (const other of [...server.sessions]) {
    if (other.registered && enforceServerBan(server, other)) n++;
  }
  return n;
}

function addBan(ctx: CommandContext, kind: BanKind, raw: string, reason: string): void {
  const { server, session: s, irc } = ctx;
  const bans = serverBans(server);
  const ban = bans.add({
    kind,
    pattern: raw,
    reason,
    setBy: s.nick ?? "operator",
    setAt: server.now(),
  });
  const hit = kind === "ip" ? applyIpBan(server) : applyBan(server);
  irc.notice(
    `Banned ${ban.pattern} from the server (${reason}); ${hit} connection${hit === 1 ? "" : "s"} removed`,
  );
}

function applyIpBan(server: ChatServer): number {
  let n = 0;
  for (const other of [...server.sessions]) {
    if (other.oper) continue;
    const why = ipBanFor(server, other.conn.remoteAddress);
    if (why === undefined) continue;
    if (other.registered) enforceServerBan(server, other);
    if (!other.gone) server.disconnect(other, why);
    n++;
  }
  return n;
}

function listBans(ctx: CommandContext, kind: BanKind): void {
  const list = serverBans(ctx.server)
    .list()
    .filter((b) => b.kind === kind);
  if (list.length === 0) ctx.irc.notice(`No ${kind === "ip" ? "D" : "K"}-lines set`);
  for (const b of list) {
    ctx.irc.notice(`${kind === "ip" ? "DLINE" : "KLINE"} ${b.pattern} by ${b.setBy}: ${b.reason}`);
  }
}

// KLINE [<mask> [:<reason>]]   (no mask: list them)
export function kline(ctx: CommandContext, msg: IrcMessage): void {
  const raw = msg.params[0];
  if (raw === undefined || raw === "") {
    listBans(ctx, "mask");
    return;
  }
  const mask = normalizeMask(raw);
  if (mask === "*!*@*") {
    ctx.irc.notice("Refusing to K-line everyone (*!*@*)");
    return;
  }
  addBan(ctx, "mask", mask, msg.params[1] ?? "banned");
}

// DLINE [<ip>[/<bits>] [:<reason>]]   (no address: list them)
export function dline(ctx: CommandContext, msg: IrcMessage): void {
  const raw = msg.params[0];
  if (raw === undefined || raw === "") {
    listBans(ctx, "ip");
    return;
  }
  if (!isIpPattern(raw)) {
    ctx.irc.notice(`${raw} is not an IP address or range such as 203.0.113.7 or 203.0.113.0/24`);
    return;
  }
  addBan(ctx, "ip", raw, msg.params[1] ?? "banned");
}

function lift(ctx: CommandContext, kind: BanKind, raw: string): void {
  const removed = serverBans(ctx.server).remove(kind, raw);
  ctx.irc.notice(
    removed === undefined ? `No such ban: ${raw}` : `Lifted the ban on ${removed.pattern}`,
  );
}

// UNKLINE <mask>
export function unkline(ctx: CommandContext, msg: IrcMessage): void {
  lift(ctx, "mask", msg.params[0] ?? "");
}

// UNDLINE <ip>[/<bits>]
export function undline(ctx: CommandContext, msg: IrcMessage): void {
  lift(ctx, "ip", msg.params[0] ?? "");
}
