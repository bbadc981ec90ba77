/**
 * IRCv3 standard replies (https://ircv3.net/specs/extensions/standard-replies):
 * the one renderer of FAIL, WARN and NOTE. A reply names the command it is
 * about, a machine-readable code from that command's specification, optional
 * context parameters, and a sentence for people:
 *
 *   :server FAIL SETNAME INVALID_REALNAME :Real name must be 1 to 50 bytes
 */
import type { IrcReplies } from "./context.ts";

export type StandardKind = "FAIL" | "WARN" | "NOTE";

export function standardReply(
  irc: IrcReplies,
  kind: StandardKind,
  command: string,
  code: string,
  context: readonly string[],
  description: string,
): void {
  irc.msg(kind, [command, code, ...context, description]);
}

/** `FAIL <command> <code> [context...] :<description>` */
export function fail(
  irc: IrcReplies,
  command: string,
  code: string,
  context: readonly string[],
  description: string,
): void {
  standardReply(irc, "FAIL", command, code, context, description);
}
