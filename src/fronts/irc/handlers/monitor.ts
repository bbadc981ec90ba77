/**
 * MONITOR (ISUPPORT MONITOR=N): watch nicks and be told when they come and go.
 *
 *   MONITOR + nick{,nick}   watch; 730/731 for each now, 734 for those past the limit
 *   MONITOR - nick{,nick}   stop watching
 *   MONITOR C               clear the list
 *   MONITOR L               the list: 732 lines, then 733
 *   MONITOR S               the status of each: 730/731
 */
import type { IrcMessage } from "../../../protocol/message.ts";
import { ERR, RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";
import { splitList } from "./targets.ts";

/** Nicks per 730-733 line, so a full list stays well under 512 bytes. */
const PER_LINE = 10;

function chunks(items: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; i += PER_LINE) {
    out.push(items.slice(i, i + PER_LINE).join(","));
  }
  return out;
}

/** RPL_MONONLINE / RPL_MONOFFLINE lines for `online` and `offline` targets. */
export function monitorReplies(
  ctx: CommandContext,
  online: readonly string[],
  offline: readonly string[],
): void {
  for (const line of chunks(online)) ctx.irc.reply(RPL.MONONLINE, line);
  for (const line of chunks(offline)) ctx.irc.reply(RPL.MONOFFLINE, line);
}

type Sub = (ctx: CommandContext, targets: string[]) => void;

const SUBCOMMANDS: Record<string, Sub> = {
  "+": (ctx, targets) => {
    const { online, offline, full } = ctx.core.monitorAdd(targets);
    monitorReplies(ctx, online, offline);
    if (full.length > 0) {
      const max = String(ctx.core.server.limits.maxMonitor);
      ctx.irc.reply(ERR.MONLISTFULL, max, full.join(","), "Monitor list is full.");
    }
  },
  "-": (ctx, targets) => ctx.core.monitorRemove(targets),
  C: (ctx) => ctx.core.monitorClear(),
  L: (ctx) => {
    for (const line of chunks(ctx.core.monitorList())) ctx.irc.reply(RPL.MONLIST, line);
    ctx.irc.reply(RPL.ENDOFMONLIST, "End of MONITOR list");
  },
  S: (ctx) => {
    const { online, offline } = ctx.core.monitorStatus();
    monitorReplies(ctx, online, offline);
  },
};

// MONITOR <+|-> <target>{,<target>}  |  MONITOR <C|L|S>
export function monitor(ctx: CommandContext, msg: IrcMessage): void {
  const sub = (msg.params[0] as string).toUpperCase();
  const run = SUBCOMMANDS[sub];
  if (run === undefined) {
    ctx.irc.reply(ERR.UNKNOWNERROR, "MONITOR", sub, "Unknown MONITOR subcommand");
    return;
  }
  const targets = splitList(msg.params[1]);
  if ((sub === "+" || sub === "-") && targets.length === 0) {
    ctx.irc.reply(ERR.NEEDMOREPARAMS, "MONITOR", "Not enough parameters");
    return;
  }
  run(ctx, targets);
}
