/**
 * Server information family: MOTD, LUSERS, VERSION, TIME.
 */
import type { IrcMessage } from "../../protocol/message.ts";
import { ERR, RPL } from "../../protocol/numerics.ts";
import type { CommandContext } from "../irc-front.ts";
import { isupport } from "./registration.ts";

// LUSERS
export function lusers(ctx: CommandContext, _msg?: IrcMessage): void {
  const { server, irc } = ctx;
  const { users, invisible, unknown, opers } = server.counts();
  irc.reply(RPL.LUSERCLIENT, `There are ${users} users and ${invisible} invisible on 1 servers`);
  irc.reply(RPL.LUSEROP, String(opers), "operator(s) online");
  irc.reply(RPL.LUSERUNKNOWN, String(unknown), "unknown connection(s)");
  irc.reply(RPL.LUSERCHANNELS, String(server.channels.size), "channels formed");
  const total = users + invisible;
  irc.reply(RPL.LUSERME, `I have ${total} clients and 0 servers`);
  irc.reply(RPL.LOCALUSERS, String(total), String(total), `Current local users ${total}`);
  irc.reply(RPL.GLOBALUSERS, String(total), String(total), `Current global users ${total}`);
}

// MOTD [<target>]
export function motd(ctx: CommandContext, _msg?: IrcMessage): void {
  const { server, irc } = ctx;
  if (server.motd === undefined || server.motd === "") {
    irc.reply(ERR.NOMOTD, "MOTD File is missing");
    return;
  }
  irc.reply(RPL.MOTDSTART, `- ${server.serverName} Message of the day -`);
  for (const line of server.motd.split(/\r?\n/)) irc.reply(RPL.MOTD, `- ${line}`);
  irc.reply(RPL.ENDOFMOTD, "End of /MOTD command.");
}

// VERSION [<target>]   (clients' /version; InspIRCd and ngIRCd answer it, 421 looked broken)
export function version(ctx: CommandContext, _msg?: IrcMessage): void {
  const { server, irc } = ctx;
  irc.reply(RPL.VERSION, server.version, server.serverName, "chat IRC server");
  const tokens = isupport(ctx);
  for (let i = 0; i < tokens.length; i += 12) {
    irc.reply(RPL.ISUPPORT, ...tokens.slice(i, i + 12), "are supported by this server");
  }
}

// TIME [<server>]
export function time(ctx: CommandContext, _msg?: IrcMessage): void {
  const { server, irc } = ctx;
  const now = server.now();
  irc.reply(
    RPL.TIME,
    server.serverName,
    String(Math.floor(now / 1000)),
    "0",
    new Date(now).toUTCString(),
  );
}
