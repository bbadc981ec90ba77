/**
 * User family: AWAY, WHO, WHOIS, WHOWAS, USERHOST, ISON. (OPER is in oper.ts.)
 */
import { foldCase } from "../../protocol/casemap.ts";
import type { IrcMessage } from "../../protocol/message.ts";
import { ERR, RPL } from "../../protocol/numerics.ts";
import { capList } from "../../security/abuse.ts";
import { globMatch } from "../../security/bans.ts";
import { prefixOf } from "../channel.ts";
import type { CommandContext } from "../irc-front.ts";
import type { Session } from "../session.ts";

/** Most entries one WHO answers, so a `WHO *` cannot flood the asker. */
const WHO_LIMIT = 500;

// AWAY [<text>]
export function away(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const text = msg.params[0];
  server.setAway(s, text);
  if (s.away === undefined) irc.reply(RPL.UNAWAY, "You are no longer marked as being away");
  else irc.reply(RPL.NOWAWAY, "You have been marked as being away");
}

function whoReply(ctx: CommandContext, channel: string, m: Session, prefix: string): void {
  const flags = (m.away === undefined ? "H" : "G") + (m.oper ? "*" : "") + prefix;
  ctx.irc.reply(
    RPL.WHOREPLY,
    channel,
    m.user,
    m.host,
    ctx.server.serverName,
    m.nick ?? "*",
    flags,
    `0 ${m.realname}`,
  );
}

// WHO <mask>
export function who(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const mask = msg.params[0] ?? "*";
  // `WHO <mask> o` lists only IRC operators (RFC 2812); a WHOX field list starts with %.
  const flag = msg.params[1] ?? "";
  const opersOnly = !flag.startsWith("%") && flag.includes("o");
  const multi = s.hasCap("multi-prefix");
  const ch = server.getChannel(mask);
  if (ch !== undefined) {
    const { shown, note } = capList([...ch.members], server.limits.maxListMembers, ch.name);
    if (note !== undefined) irc.notice(note);
    for (const [m, st] of shown) {
      if (opersOnly && !m.oper) continue;
      whoReply(ctx, ch.name, m, prefixOf(st, multi));
    }
  } else if (!mask.startsWith("#")) {
    const pattern = foldCase(mask === "0" ? "*" : mask);
    let n = 0;
    for (const m of server.nicks.values()) {
      if (!m.registered || m.nick === undefined) continue;
      if (opersOnly && !m.oper) continue;
      const nickMatch = globMatch(pattern, m.folded ?? "");
      if (!nickMatch && !globMatch(pattern, foldCase(m.host))) continue;
      // Invisible users are listed only to those who share a room with them.
      if (m !== s && m.umodes.has("i") && !sharesRoom(s, m)) continue;
      whoReply(ctx, "*", m, "");
      if (++n >= WHO_LIMIT) break;
    }
  }
  irc.reply(RPL.ENDOFWHO, mask, "End of /WHO list");
}

function sharesRoom(a: Session, b: Session): boolean {
  for (const key of a.joined.keys()) if (b.joined.has(key)) return true;
  return false;
}

// WHOIS [<server>] <nick>
export function whois(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const nick = (msg.params.length >= 2 ? msg.params[1] : msg.params[0]) as string;
  const m = server.nicks.get(foldCase(nick));
  if (m === undefined || !m.registered || m.nick === undefined) {
    irc.reply(ERR.NOSUCHNICK, nick, "No such nick/channel");
    irc.reply(RPL.ENDOFWHOIS, nick, "End of /WHOIS list");
    return;
  }
  irc.reply(RPL.WHOISUSER, m.nick, m.user, m.host, "*", m.realname);
  const multi = s.hasCap("multi-prefix");
  const chans: string[] = [];
  for (const ch of m.joined.values()) {
    chans.push(prefixOf(ch.members.get(m) ?? 0, multi) + ch.name);
  }
  // Several 319 lines, as other servers send, so 50 long room names stay under 512 bytes.
  let line = "";
  for (const c of chans) {
    if (line !== "" && Buffer.byteLength(line) + Buffer.byteLength(c) + 1 > 400) {
      irc.reply(RPL.WHOISCHANNELS, m.nick, line);
      line = "";
    }
    line = line === "" ? c : `${line} ${c}`;
  }
  if (line !== "") irc.reply(RPL.WHOISCHANNELS, m.nick, line);
  irc.reply(RPL.WHOISSERVER, m.nick, server.serverName, server.network);
  if (m.away !== undefined) irc.reply(RPL.AWAY, m.nick, m.away);
  if (m.oper) irc.reply(RPL.WHOISOPERATOR, m.nick, "is an IRC operator");
  if (m.front.kind === "plain") irc.reply(RPL.WHOISMODES, m.nick, "is using a plain-text terminal");
  const now = server.now();
  irc.reply(
    RPL.WHOISIDLE,
    m.nick,
    String(Math.floor((now - m.lastSpoke) / 1000)),
    String(Math.floor(m.connectedAt / 1000)),
    "seconds idle, signon time",
  );
  irc.reply(RPL.ENDOFWHOIS, m.nick, "End of /WHOIS list");
}

// WHOWAS <nick> [<count>]
export function whowas(ctx: CommandContext, msg: IrcMessage): void {
  const { server, irc } = ctx;
  const nick = msg.params[0] as string;
  const count = Number(msg.params[1] ?? "0");
  const folded = foldCase(nick);
  let shown = 0;
  for (let i = server.whowas.length - 1; i >= 0; i--) {
    const w = server.whowas[i];
    if (w === undefined || foldCase(w.nick) !== folded) continue;
    irc.reply(RPL.WHOWASUSER, w.nick, w.user, w.host, "*", w.realname);
    irc.reply(RPL.WHOISSERVER, w.nick, server.serverName, new Date(w.at).toUTCString());
    shown++;
    if (count > 0 && shown >= count) break;
  }
  if (shown === 0) irc.reply(ERR.WASNOSUCHNICK, nick, "There was no such nickname");
  irc.reply(RPL.ENDOFWHOWAS, nick, "End of WHOWAS");
}

// USERHOST <nick>{ <nick>}
export function userhost(ctx: CommandContext, msg: IrcMessage): void {
  const { server, irc } = ctx;
  const out: string[] = [];
  for (const nick of msg.params.slice(0, 5)) {
    const m = server.nicks.get(foldCase(nick));
    if (m === undefined || !m.registered) continue;
    out.push(
      `${m.nick}${m.oper ? "*" : ""}=${m.away === undefined ? "+" : "-"}${m.user}@${m.host}`,
    );
  }
  irc.reply(RPL.USERHOST, out.join(" "));
}

// ISON <nick>{ <nick>}
export function ison(ctx: CommandContext, msg: IrcMessage): void {
  const { server, irc } = ctx;
  const nicks = msg.params.flatMap((p) => p.split(" ")).filter((n) => n !== "");
  const on = nicks
    .map((n) => server.nicks.get(foldCase(n)))
    .filter((m): m is Session => m?.registered === true)
    .map((m) => m.nick as string);
  irc.reply(RPL.ISON, on.join(" "));
}
