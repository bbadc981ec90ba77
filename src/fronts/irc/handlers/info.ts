/**
 * Server information family: MOTD, LUSERS, VERSION, TIME.
 */
import type { IrcMessage } from "../../../protocol/message.ts";
import { ERR, RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";
import { sendIsupport } from "./isupport.ts";

// LUSERS
export function lusers(ctx: CommandContext, _msg?: IrcMessage): void {
  const { core, irc } = ctx;
  const { users, invisible, unknown, opers, channels, peak } = core.counts();
  irc.reply(RPL.LUSERCLIENT, `There are ${users} users and ${invisible} invisible on 1 servers`);
  irc.reply(RPL.LUSEROP, String(opers), "operator(s) online");
  irc.reply(RPL.LUSERUNKNOWN, String(unknown), "unknown connection(s)");
  irc.reply(RPL.LUSERCHANNELS, String(channels), "channels formed");
  const total = users + invisible;
  irc.reply(RPL.LUSERME, `I have ${total} clients and 0 servers`);
  // modern.ircdocs.horse: `<client> [<u> <m>] :Current local users <u>, max <m>`.
  const max = String(Math.max(peak, total));
  irc.reply(RPL.LOCALUSERS, String(total), max, `Current local users ${total}, max ${max}`);
  irc.reply(RPL.GLOBALUSERS, String(total), max, `Current global users ${total}, max ${max}`);
}

// MOTD [<target>]
export function motd(ctx: CommandContext, _msg?: IrcMessage): void {
  const { core, irc } = ctx;
  const text = core.server.motd;
  if (text === undefined || text === "") {
    irc.reply(ERR.NOMOTD, "MOTD File is missing");
    return;
  }
  irc.reply(RPL.MOTDSTART, `- ${core.server.name} Message of the day -`);
  for (const line of text.split(/\r?\n/)) irc.reply(RPL.MOTD, `- ${line}`);
  irc.reply(RPL.ENDOFMOTD, "End of /MOTD command.");
}

// VERSION [<target>]   (clients' /version; InspIRCd and ngIRCd answer it, 421 looked broken)
export function version(ctx: CommandContext, _msg?: IrcMessage): void {
  ctx.irc.reply(RPL.VERSION, ctx.core.server.version, ctx.core.server.name, "chat IRC server");
  sendIsupport(ctx);
}

// TIME [<server>]
export function time(ctx: CommandContext, _msg?: IrcMessage): void {
  const now = ctx.core.now();
  ctx.irc.reply(
    RPL.TIME,
    ctx.core.server.name,
    String(Math.floor(now / 1000)),
    "0",
    new Date(now).toUTCString(),
  );
}

// LINKS [[<remote server>] <server mask>]   (one server: itself)
export function links(ctx: CommandContext, _msg?: IrcMessage): void {
  const { core, irc } = ctx;
  irc.reply(RPL.LINKS, "*", core.server.name, `0 ${core.server.network} chat server`);
  irc.reply(RPL.ENDOFLINKS, "*", "End of /LINKS list");
}

// INFO [<target>]
export function info(ctx: CommandContext, _msg?: IrcMessage): void {
  const { core, irc } = ctx;
  const lines = [
    `${core.server.name} running chat ${core.server.version}`,
    "chat: one program that is an IRC server, a plain-text chat for nc/telnet and a terminal client.",
    `Up since ${new Date(core.server.createdAt).toUTCString()}`,
  ];
  for (const line of lines) irc.reply(RPL.INFO, line);
  irc.reply(RPL.ENDOFINFO, "End of /INFO list");
}

// ADMIN [<target>]
export function admin(ctx: CommandContext, _msg?: IrcMessage): void {
  const { core, irc } = ctx;
  irc.reply(RPL.ADMINME, core.server.name, "Administrative info");
  irc.reply(RPL.ADMINLOC1, `${core.server.network} network`);
  irc.reply(RPL.ADMINLOC2, "Run by whoever started `chat serve` on this host");
  irc.reply(RPL.ADMINEMAIL, "No contact address is configured");
}
