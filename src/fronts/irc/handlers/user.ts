/**
 * User family: AWAY, WHO, WHOIS, WHOWAS, USERHOST, ISON. (OPER is in oper.ts.)
 */
import { prefixOf, type WhoEntry } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { ERR, RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";
import { parseWhox, whoxParams } from "./whox.ts";

// AWAY [<text>]
export function away(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  core.setAway(msg.params[0]);
  if (core.away === undefined) irc.reply(RPL.UNAWAY, "You are no longer marked as being away");
  else irc.reply(RPL.NOWAWAY, "You have been marked as being away");
}

/** WHO flags: H here / G gone (away), * operator, B bot, then the room status. */
function whoFlags(e: WhoEntry, multi: boolean): string {
  return (e.away ? "G" : "H") + (e.oper ? "*" : "") + (e.bot ? "B" : "") + prefixOf(e, multi);
}

function whoReply(ctx: CommandContext, e: WhoEntry, multi: boolean): void {
  const flags = whoFlags(e, multi);
  ctx.irc.reply(
    RPL.WHOREPLY,
    e.channel,
    e.user,
    e.host,
    ctx.core.server.name,
    e.nick,
    flags,
    `0 ${e.realname}`,
  );
}

// WHO <mask> [o][%<fields>[,<token>]]   (WHOX: see whox.ts)
export function who(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const mask = msg.params[0] ?? "*";
  // `WHO <mask> o` lists only IRC operators (RFC 2812); a WHOX field list starts with %.
  const second = msg.params[1] ?? "";
  const percent = second.indexOf("%");
  const flag = percent === -1 ? second : second.slice(0, percent);
  const whox = percent === -1 ? undefined : parseWhox(second.slice(percent));
  if (whox !== undefined && "error" in whox) {
    irc.reply(ERR.UNKNOWNERROR, "WHO", whox.error);
    return;
  }
  const { entries, note } = core.who(mask, flag.includes("o"));
  if (note !== undefined) irc.notice(note);
  const multi = core.hasCap("multi-prefix");
  for (const e of entries) {
    if (whox === undefined) whoReply(ctx, e, multi);
    else irc.reply(RPL.WHOSPCRPL, ...whoxParams(whox, e, whoFlags(e, multi), core.server.name));
  }
  irc.reply(RPL.ENDOFWHO, mask, "End of /WHO list");
}

// WHOIS [<server>] <nick>
export function whois(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const nick = (msg.params.length >= 2 ? msg.params[1] : msg.params[0]) as string;
  if (core.user(nick) === undefined) {
    irc.reply(ERR.NOSUCHNICK, nick, "No such nick/channel");
    irc.reply(RPL.ENDOFWHOIS, nick, "End of /WHOIS list");
    return;
  }
  const w = core.whois(nick);
  irc.reply(RPL.WHOISUSER, w.nick, w.user, w.host, "*", w.realname);
  const multi = core.hasCap("multi-prefix");
  // Several 319 lines, as other servers send, so 50 long room names stay under 512 bytes.
  let line = "";
  for (const r of w.rooms) {
    const c = prefixOf(r, multi) + r.name;
    if (line !== "" && Buffer.byteLength(line) + Buffer.byteLength(c) + 1 > 400) {
      irc.reply(RPL.WHOISCHANNELS, w.nick, line);
      line = "";
    }
    line = line === "" ? c : `${line} ${c}`;
  }
  if (line !== "") irc.reply(RPL.WHOISCHANNELS, w.nick, line);
  irc.reply(RPL.WHOISSERVER, w.nick, core.server.name, core.server.network);
  if (w.away !== undefined) irc.reply(RPL.AWAY, w.nick, w.away);
  if (w.oper) irc.reply(RPL.WHOISOPERATOR, w.nick, "is an IRC operator");
  if (w.bot) irc.reply(RPL.WHOISBOT, w.nick, "is a bot");
  if (w.plain) irc.reply(RPL.WHOISMODES, w.nick, "is using a plain-text terminal");
  irc.reply(
    RPL.WHOISIDLE,
    w.nick,
    String(w.idleSeconds),
    String(Math.floor(w.signon / 1000)),
    "seconds idle, signon time",
  );
  irc.reply(RPL.ENDOFWHOIS, w.nick, "End of /WHOIS list");
}

// WHOWAS <nick> [<count>]
export function whowas(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const nick = msg.params[0] as string;
  const entries = core.whowas(nick, Number(msg.params[1] ?? "0") || 0);
  for (const w of entries) {
    irc.reply(RPL.WHOWASUSER, w.nick, w.user, w.host, "*", w.realname);
    irc.reply(RPL.WHOISSERVER, w.nick, core.server.name, new Date(w.at).toUTCString());
  }
  if (entries.length === 0) irc.reply(ERR.WASNOSUCHNICK, nick, "There was no such nickname");
  irc.reply(RPL.ENDOFWHOWAS, nick, "End of WHOWAS");
}

// USERHOST <nick>{ <nick>}
export function userhost(ctx: CommandContext, msg: IrcMessage): void {
  const out: string[] = [];
  for (const nick of msg.params.slice(0, 5)) {
    const u = ctx.core.user(nick);
    if (u === undefined) continue;
    out.push(
      `${u.nick}${u.oper ? "*" : ""}=${u.away === undefined ? "+" : "-"}${u.user}@${u.host}`,
    );
  }
  ctx.irc.reply(RPL.USERHOST, out.join(" "));
}

// ISON <nick>{ <nick>}
export function ison(ctx: CommandContext, msg: IrcMessage): void {
  const nicks = msg.params.flatMap((p) => p.split(" ")).filter((n) => n !== "");
  const on = nicks.map((n) => ctx.core.user(n)?.nick).filter((n) => n !== undefined);
  ctx.irc.reply(RPL.ISON, on.join(" "));
}
