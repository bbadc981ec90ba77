/**
 * draft/message-redaction (https://ircv3.net/specs/extensions/message-redaction):
 * REDACT withdraws a message. Success is the REDACT line, delivered by the core
 * to everyone with the capability who had the message (the redactor too);
 * refusals are the spec's FAIL codes. There is no time window.
 */
import type { IrcMessage } from "../../../protocol/message.ts";
import type { CommandContext } from "../context.ts";
import { fail } from "../standard-replies.ts";

// REDACT <target> <msgid> [:<reason>]
export function redact(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const [target = "", msgid = "", reason] = msg.params;
  switch (core.redact(target, msgid, reason)) {
    case "redacted":
      return;
    case "invalid-target":
      fail(irc, "REDACT", "INVALID_TARGET", [target], `You cannot redact messages in ${target}`);
      return;
    case "unknown-msgid":
      fail(
        irc,
        "REDACT",
        "UNKNOWN_MSGID",
        [target, msgid],
        "This message does not exist or is too old",
      );
      return;
    case "forbidden":
      fail(
        irc,
        "REDACT",
        "REDACT_FORBIDDEN",
        [target, msgid],
        "You may redact only your own messages",
      );
      return;
  }
}
