/**
 * draft/channel-rename (https://ircv3.net/specs/extensions/channel-rename):
 * RENAME gives a room a new name, keeping everything else. Members with the
 * capability see RENAME; the others see themselves PART the old name and JOIN
 * the new one, with its topic and NAMES (renamedFallback). Not being in the
 * room, or no operator, are the usual numerics; the spec's FAIL codes cover
 * a taken or unusable new name.
 */

import { V_MESSAGE_TAGS, V_SERVER_TIME } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";
import { tagPrefix, trailing } from "../render.ts";
import { fail } from "../standard-replies.ts";
import { sendNames } from "./channel.ts";

// RENAME <old-channel> <new-channel> [:<reason>]
export function rename(ctx: CommandContext, msg: IrcMessage): void {
  const [from = "", to = "", reason = ""] = msg.params;
  const outcome = ctx.core.rename(from, to, reason);
  if (outcome === "in-use") {
    fail(ctx.irc, "RENAME", "CHANNEL_NAME_IN_USE", [from, to], "The channel name is already taken");
  } else if (outcome === "cannot-rename") {
    fail(ctx.irc, "RENAME", "CANNOT_RENAME", [from, to], `${to} is not a valid channel name`);
  }
}

/** What a client without draft/channel-rename is shown: its own PART and JOIN, topic and NAMES. */
export function renamedFallback(ctx: CommandContext, from: string, to: string, why: string): void {
  const { core, irc } = ctx;
  // Channel events like any other for this client: each with its own msgid and the time.
  const variant =
    (core.hasCap("server-time") ? V_SERVER_TIME : 0) |
    (core.hasCap("message-tags") ? V_MESSAGE_TAGS : 0);
  const tags = (): string => tagPrefix(variant, core.now(), core.newId());
  const text = why === "" ? `Channel renamed to ${to}` : why;
  irc.raw(`${tags()}:${core.prefix} PART ${from}${trailing(text)}`);
  irc.raw(`${tags()}:${core.prefix} JOIN ${to}`);
  const topic = core.topic(to);
  if (topic !== undefined) {
    irc.reply(RPL.TOPIC, to, topic.text);
    irc.reply(RPL.TOPICWHOTIME, to, topic.setBy, String(Math.floor(topic.setAt / 1000)));
  }
  const view = core.names(to);
  if (view !== undefined) sendNames(ctx, view);
}
