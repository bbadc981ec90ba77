/**
 * Server information family: MOTD, LUSERS.
 */
import type { IrcMessage } from "../../protocol/message.ts";
import { ERR, RPL } from "../../protocol/numerics.ts";
import type { CommandContext } from "../irc-front.ts";

// LUSERS
export function lusers(ctx: CommandContext, _msg?: IrcMessage): void {
  const { server, irc } = ctx;
  let users = 0;
  let unknown = 0;
  let opers = 0;
  for (const s of server.sessions) {
    if (s.registered) users++;
    else unknown++;
    if (s.oper) opers++;
  }
  irc.reply(RPL.LUSERCLIENT, `There are ${users} users and 0 invisible on 1 servers`);
  irc.reply(RPL.LUSEROP, String(opers), "operator(s) online");
  irc.reply(RPL.LUSERUNKNOWN, String(unknown), "unknown connection(s)");
  irc.reply(RPL.LUSERCHANNELS, String(server.channels.size), "channels formed");
  irc.reply(RPL.LUSERME, `I have ${users} clients and 0 servers`);
  irc.reply(RPL.LOCALUSERS, String(users), String(users), `Current local users ${users}`);
  irc.reply(RPL.GLOBALUSERS, String(users), String(users), `Current global users ${users}`);
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
