/**
 * RPL_ISUPPORT (005): the tokens that tell a client what this server enforces.
 */
import { CASEMAPPING } from "../../../protocol/casemap.ts";
import { RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";

/** ISUPPORT tokens; each one is true of what the server enforces. */
export function isupport(ctx: CommandContext): string[] {
  const l = ctx.core.server.limits;
  const t = l.maxTargets;
  return [
    `AWAYLEN=${l.awayLen}`,
    `CASEMAPPING=${CASEMAPPING}`,
    `CHANLIMIT=#:${l.maxChannelsPerUser}`,
    "CHANMODES=b,k,l,imnt",
    `CHANNELLEN=${l.channelLen}`,
    "CHANTYPES=#",
    `CHATHISTORY=${l.chathistoryMax}`,
    // Owned nicks: +b $a:NAME bans the owner of NAME under any nick.
    "EXTBAN=$,a",
    `KICKLEN=${l.kickLen}`,
    `MAXLIST=b:${l.maxBansPerRoom}`,
    `MAXTARGETS=${t}`,
    `MODES=${l.maxModesPerCommand}`,
    "MSGREFTYPES=timestamp,msgid",
    `NAMELEN=${l.realnameLen}`,
    `NETWORK=${ctx.core.server.network}`,
    `NICKLEN=${l.nickLen}`,
    "PREFIX=(ov)@+",
    `TARGMAX=JOIN:${t},PART:${t},PRIVMSG:${t},NOTICE:${t},NAMES:${t},WHOIS:1,KICK:${t},TAGMSG:${t}`,
    `TOPICLEN=${l.topicLen}`,
  ];
}

export function sendIsupport(ctx: CommandContext): void {
  const tokens = isupport(ctx);
  for (let i = 0; i < tokens.length; i += 12) {
    ctx.irc.reply(RPL.ISUPPORT, ...tokens.slice(i, i + 12), "are supported by this server");
  }
}
