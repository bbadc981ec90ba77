/**
 * Messaging family: PRIVMSG, NOTICE, TAGMSG.
 */
import { ChatError } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";
import { eachTarget, targetList } from "./targets.ts";

/** Client-only tags (`+name`) are relayed to message-tags clients; the rest are ours to set. */
export function clientTags(msg: IrcMessage): [string, string][] | undefined {
  if (msg.tags.size === 0) return undefined;
  let out: [string, string][] | undefined;
  for (const [k, v] of msg.tags) {
    if (k.charCodeAt(0) !== 43 /* + */ || /[^A-Za-z0-9+/.\-_]/.test(k)) continue;
    if (out === undefined) out = [];
    out.push([k, v]);
  }
  return out;
}

function send(ctx: CommandContext, msg: IrcMessage, command: "PRIVMSG" | "NOTICE"): void {
  const { core, irc } = ctx;
  const targetParam = msg.params[0];
  if (targetParam === undefined || targetParam === "") {
    if (command === "NOTICE") return;
    throw new ChatError("noRecipient", [], `No recipient given (${command})`);
  }
  const text = msg.params[1];
  if (text === undefined || text === "") {
    if (command === "NOTICE") return;
    throw new ChatError("noTextToSend");
  }
  const targets = targetList(ctx, targetParam);
  const tags = clientTags(msg);
  eachTarget(ctx, targets, (target) => {
    try {
      const r = core.send(command, target, text, tags);
      // NOTICE never triggers automatic replies.
      if (command === "PRIVMSG" && r.away !== undefined && r.nick !== undefined) {
        irc.reply(RPL.AWAY, r.nick, r.away);
      }
    } catch (err) {
      // NOTICE must not generate error replies (RFC 2812 3.3.2).
      if (command === "NOTICE" && err instanceof ChatError) return;
      throw err;
    }
  });
}

// PRIVMSG <target>{,<target>} <text to be sent>
export function privmsg(ctx: CommandContext, msg: IrcMessage): void {
  send(ctx, msg, "PRIVMSG");
}

// NOTICE <target>{,<target>} <text to be sent>
export function notice(ctx: CommandContext, msg: IrcMessage): void {
  send(ctx, msg, "NOTICE");
}

// TAGMSG <target>{,<target>}   (tags only: @+typing=active TAGMSG #room)
export function tagmsg(ctx: CommandContext, msg: IrcMessage): void {
  const tags = clientTags(msg);
  // Nothing to relay without client tags; TAGMSG never produces error floods.
  if (tags === undefined || !ctx.core.hasCap("message-tags")) return;
  const targets = targetList(ctx, msg.params[0]);
  eachTarget(ctx, targets, (target) => ctx.core.tagmsg(target, tags));
}
