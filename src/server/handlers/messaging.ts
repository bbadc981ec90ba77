/**
 * Messaging family: PRIVMSG, NOTICE, TAGMSG.
 */
import type { IrcMessage } from "../../protocol/message.ts";
import { RPL } from "../../protocol/numerics.ts";
import { ChatError } from "../errors.ts";
import type { CommandContext } from "../irc-front.ts";
import { eachTarget, splitList } from "./channel.ts";

/** Client-only tags (`+name`) are relayed to message-tags clients; the rest are ours to set. */
function clientTags(msg: IrcMessage): [string, string][] | undefined {
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
  const { server, session: s, irc } = ctx;
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
  const targets = splitList(targetParam);
  if (targets.length > server.limits.maxTargets) {
    throw new ChatError("tooManyTargets", [targets[server.limits.maxTargets] ?? "*"]);
  }
  const tags = clientTags(msg);
  eachTarget(ctx, targets, (target) => {
    try {
      const r = server.sendMessage(s, command, target, text, tags);
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
  const { server, session: s } = ctx;
  const tags = clientTags(msg);
  // Nothing to relay without client tags; TAGMSG never produces error floods.
  if (tags === undefined || !s.hasCap("message-tags")) return;
  const targets = splitList(msg.params[0]);
  if (targets.length > server.limits.maxTargets) {
    throw new ChatError("tooManyTargets", [targets[server.limits.maxTargets] ?? "*"]);
  }
  eachTarget(ctx, targets, (target) => server.sendTagmsg(s, target, tags));
}
