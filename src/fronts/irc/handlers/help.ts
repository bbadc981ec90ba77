/**
 * HELP and HELPOP: 704 (first line), 705 (the rest), 706 (end); 524 for a
 * topic we have no help on.
 */
import type { IrcMessage } from "../../../protocol/message.ts";
import { ERR, RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";
import { HELP } from "../help-text.ts";

// HELP [<subject>]
export function help(ctx: CommandContext, msg: IrcMessage): void {
  const asked = msg.params[0] ?? "";
  const subject = asked.toUpperCase();
  const text = HELP[subject];
  const shown = asked === "" ? "*" : asked;
  if (text === undefined) {
    ctx.irc.reply(ERR.HELPNOTFOUND, shown, "No help available on this topic");
    return;
  }
  text.forEach((line, i) => {
    ctx.irc.reply(i === 0 ? RPL.HELPSTART : RPL.HELPTXT, shown, line);
  });
  ctx.irc.reply(RPL.ENDOFHELP, shown, "End of /HELP");
}
