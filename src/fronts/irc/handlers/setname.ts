/**
 * IRCv3 setname (https://ircv3.net/specs/extensions/setname): change your real
 * name while connected. Success is the SETNAME line itself, sent back to a
 * client with the capability (the core delivers it); a refusal is FAIL.
 */
import type { IrcMessage } from "../../../protocol/message.ts";
import type { CommandContext } from "../context.ts";
import { fail } from "../standard-replies.ts";

// SETNAME :<realname>
export function setname(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const realname = msg.params[0] ?? "";
  if (core.setRealname(realname) === "invalid") {
    const max = core.server.limits.realnameLen;
    fail(irc, "SETNAME", "INVALID_REALNAME", [], `Real name must be 1 to ${max} bytes`);
  }
}
