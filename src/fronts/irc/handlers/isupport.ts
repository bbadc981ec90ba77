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
    "BOT=B",
    `CASEMAPPING=${CASEMAPPING}`,
    `CHANLIMIT=#:${l.maxChannelsPerUser}`,
    "CHANMODES=beI,k,l,Cimnpst",
    `CHANNELLEN=${l.channelLen}`,
    "CHANTYPES=#",
    `CHATHISTORY=${l.chathistoryMax}`,
    "ELIST=CMNTU",
    "EXCEPTS=e",
    // Mute extban without a prefix character, as InspIRCd writes it: `+b m:nick!*@*`.
    "EXTBAN=,m",
    "INVEX=I",
    `KICKLEN=${l.kickLen}`,
    `MAXLIST=b:${l.maxBansPerRoom},e:${l.maxBansPerRoom},I:${l.maxBansPerRoom}`,
    `MAXTARGETS=${t}`,
    `MODES=${l.maxModesPerCommand}`,
    `MONITOR=${l.maxMonitor}`,
    "MSGREFTYPES=timestamp,msgid",
    `NAMELEN=${l.realnameLen}`,
    `NETWORK=${ctx.core.server.network}`,
    `NICKLEN=${l.nickLen}`,
    "PREFIX=(ov)@+",
    "STATUSMSG=@+",
    `TARGMAX=JOIN:${t},PART:${t},PRIVMSG:${t},NOTICE:${t},NAMES:${t},WHOIS:1,KICK:${t},TAGMSG:${t}`,
    `TOPICLEN=${l.topicLen}`,
    "UTF8ONLY",
    "WHOX",
  ];
}

export function sendIsupport(ctx: CommandContext): void {
  const tokens = isupport(ctx);
  for (let i = 0; i < tokens.length; i += 12) {
    ctx.irc.reply(RPL.ISUPPORT, ...tokens.slice(i, i + 12), "are supported by this server");
  }
}
