/**
 * Operator family: OPER, KILL and server-wide bans (KLINE by nick!user@host
 * mask, DLINE by IP address or CIDR range) with UNKLINE/UNDLINE to lift them.
 * A ban lasts until lifted, across restarts, or for the minutes given first
 * (`KLINE 60 bob :cool off`), as ircd-hybrid spells a temporary ban.
 */
import type { OperOutcome } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { RPL } from "../../../protocol/numerics.ts";
import {
  type BanKind,
  coversEveryAddress,
  isIpPattern,
  normalizeMask,
} from "../../../security/bans.ts";
import type { CommandContext } from "../context.ts";

// OPER <name> <password>
export function oper(ctx: CommandContext, msg: IrcMessage): void | Promise<void> {
  const { core, irc } = ctx;
  const answer = (outcome: OperOutcome): void => {
    if (outcome === "already") irc.reply(RPL.YOUREOPER, "You are already an IRC operator");
    else if (outcome === "throttled") {
      irc.notice("Too many OPER attempts from your address; try again in a minute.");
    } else if (outcome === "granted") {
      irc.reply(RPL.YOUREOPER, "You are now an IRC operator");
      irc.msg("MODE", [core.nick ?? "*", "+o"], core.prefix);
    }
    // "refused": the core told the user already (464).
  };
  const outcome = core.operLogin(msg.params[0] ?? "", msg.params[1] ?? "");
  // A password is checked off the event loop: answered when that is done.
  if (typeof outcome === "string") answer(outcome);
  else return outcome.then(answer);
}

// KILL <nick> [:<reason>]
export function kill(ctx: CommandContext, msg: IrcMessage): void {
  const reason = msg.params[1] ?? "no reason given";
  const killed = ctx.core.kill(msg.params[0] ?? "", reason);
  ctx.irc.notice(`Killed ${killed}: ${reason}`);
}

function addBan(
  ctx: CommandContext,
  kind: BanKind,
  raw: string,
  reason: string,
  minutes: number | undefined,
): void {
  const ms = minutes === undefined ? undefined : minutes * 60_000;
  const { pattern, removed } = ctx.core.addServerBan(kind, raw, reason, ms);
  const span = minutes === undefined ? "" : ` for ${minutes} minute${minutes === 1 ? "" : "s"}`;
  ctx.irc.notice(
    `Banned ${pattern} from the server${span} (${reason}); ${removed} connection${removed === 1 ? "" : "s"} removed`,
  );
}

/** `[<minutes>] <pattern> [:<reason>]`: a leading whole number is a duration (no nick or address is one). */
function banParams(params: readonly string[]): {
  minutes?: number;
  raw: string | undefined;
  reason: string;
} {
  const first = params[0] ?? "";
  if (/^\d{1,6}$/.test(first) && params.length >= 2 && Number(first) > 0) {
    return { minutes: Number(first), raw: params[1], reason: params[2] ?? "banned" };
  }
  return { raw: params[0], reason: params[1] ?? "banned" };
}

function expiry(expiresAt: number | undefined): string {
  if (expiresAt === undefined) return "";
  // A ban kept before MAX_BAN_MINUTES existed may end past any date: still list it.
  const end = new Date(expiresAt);
  return Number.isNaN(end.getTime()) ? " until far in the future" : ` until ${end.toISOString()}`;
}

function listBans(ctx: CommandContext, kind: BanKind): void {
  const list = ctx.core.serverBans(kind);
  const name = kind === "ip" ? "DLINE" : "KLINE";
  if (list.length === 0) ctx.irc.notice(`No ${kind === "ip" ? "D" : "K"}-lines set`);
  for (const b of list) {
    ctx.irc.notice(`${name} ${b.pattern} by ${b.setBy}${expiry(b.expiresAt)}: ${b.reason}`);
  }
}

// KLINE [[<minutes>] <mask> [:<reason>]]   (no mask: list them)
export function kline(ctx: CommandContext, msg: IrcMessage): void {
  const { raw, reason, minutes } = banParams(msg.params);
  if (raw === undefined || raw === "") {
    listBans(ctx, "mask");
    return;
  }
  const mask = normalizeMask(raw);
  if (mask === "*!*@*") {
    ctx.irc.notice("Refusing to K-line everyone (*!*@*)");
    return;
  }
  addBan(ctx, "mask", mask, reason, minutes);
}

// DLINE [[<minutes>] <ip>[/<bits>] [:<reason>]]   (no address: list them)
export function dline(ctx: CommandContext, msg: IrcMessage): void {
  const { raw, reason, minutes } = banParams(msg.params);
  if (raw === undefined || raw === "") {
    listBans(ctx, "ip");
    return;
  }
  if (!isIpPattern(raw)) {
    ctx.irc.notice(`${raw} is not an IP address or range such as 203.0.113.7 or 203.0.113.0/24`);
    return;
  }
  if (coversEveryAddress(raw)) {
    ctx.irc.notice(`Refusing to D-line every address (${raw})`);
    return;
  }
  addBan(ctx, "ip", raw, reason, minutes);
}

function lift(ctx: CommandContext, kind: BanKind, raw: string): void {
  const removed = ctx.core.liftServerBan(kind, raw);
  ctx.irc.notice(removed === undefined ? `No such ban: ${raw}` : `Lifted the ban on ${removed}`);
}

// UNKLINE <mask>
export function unkline(ctx: CommandContext, msg: IrcMessage): void {
  lift(ctx, "mask", msg.params[0] ?? "");
}

// UNDLINE <ip>[/<bits>]
export function undline(ctx: CommandContext, msg: IrcMessage): void {
  lift(ctx, "ip", msg.params[0] ?? "");
}

// WALLOPS <text>   (operators; reaches every user with +w)
export function wallops(ctx: CommandContext, msg: IrcMessage): void {
  ctx.core.wallops(msg.params[0] as string);
}
