/**
 * draft/read-marker (https://ircv3.net/specs/extensions/read-marker): MARKREAD
 * gets or sets how far this user has read a room or a private conversation;
 * the core keeps it in the store. Errors are standard replies (FAIL MARKREAD).
 */
import { ChatError } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import type { CommandContext } from "../context.ts";
import { isoTime } from "../render.ts";
import { parseRef } from "./history.ts";

/** `:server MARKREAD <target> <timestamp=...|*>`; the target was checked by the core. */
export function sendMarker(ctx: CommandContext, target: string, time: number | undefined): void {
  const value = time === undefined ? "*" : `timestamp=${isoTime(time)}`;
  ctx.irc.raw(`:${ctx.core.server.name} MARKREAD ${target} ${value}`);
}

// MARKREAD <target> [timestamp=YYYY-MM-DDThh:mm:ss.sssZ]
export function markread(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const target = msg.params[0] ?? "";
  if (target === "") {
    irc.msg("FAIL", ["MARKREAD", "NEED_MORE_PARAMS", "Missing parameters"]);
    return;
  }
  const raw = msg.params[1];
  const ref = raw === undefined ? undefined : parseRef(raw);
  if (raw !== undefined && (ref === undefined || !("time" in ref))) {
    irc.msg("FAIL", ["MARKREAD", "INVALID_PARAMS", raw, "Invalid timestamp"]);
    return;
  }
  try {
    const time =
      ref !== undefined && "time" in ref
        ? core.setReadMarker(target, ref.time)
        : core.readMarker(target);
    sendMarker(ctx, target, time);
  } catch (err) {
    if (!(err instanceof ChatError)) throw err;
    irc.msg("FAIL", ["MARKREAD", "INVALID_PARAMS", target, err.message]);
  }
}
