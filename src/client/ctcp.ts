/**
 * CTCP: `\x01VERB args\x01` inside a PRIVMSG or NOTICE. The parse is shared
 * by the handlers (ACTION is chat, the rest is machine talk) and the
 * responder, which answers VERSION and PING as IRC clients customarily do.
 */
import { type IrcMessage, message } from "../protocol/message.ts";
import { nickOf } from "../protocol/text.ts";
import { VERSION } from "../version.ts";
import type { ClientState } from "./state.ts";

export interface Ctcp {
  verb: string;
  /** Everything after the verb and its space ("" when none). */
  args: string;
}

/** The CTCP inside a message text, or undefined when it is ordinary text. */
export function parseCtcp(text: string): Ctcp | undefined {
  if (!text.startsWith("\x01")) return undefined;
  const body = text.replace(/^\x01|\x01$/g, "");
  const sp = body.indexOf(" ");
  return sp === -1
    ? { verb: body, args: "" }
    : { verb: body.slice(0, sp), args: body.slice(sp + 1) };
}

/** Answers at most one CTCP a second, so a prankster cannot make us flood. */
export class CtcpResponder {
  private lastReply = 0;

  constructor(private readonly state: ClientState) {}

  /** The NOTICE to send for a CTCP VERSION or PING sent to us privately, live. */
  answer(msg: IrcMessage, now: number = Date.now()): IrcMessage | undefined {
    const target = msg.params[0] ?? "";
    if (this.state.isChannel(target) || msg.tags.has("batch")) return undefined;
    const ctcp = parseCtcp(msg.params[1] ?? "");
    if (ctcp === undefined) return undefined;
    const who = nickOf(msg.source ?? "");
    if (who === "" || this.state.isMe(who)) return undefined;
    const verb = ctcp.verb.toUpperCase();
    let reply: string | undefined;
    if (verb === "VERSION") reply = `VERSION chat ${VERSION} (chat join)`;
    else if (verb === "PING") reply = `PING ${ctcp.args}`.trimEnd();
    if (reply === undefined || now - this.lastReply < 1000) return undefined;
    this.lastReply = now;
    return message("NOTICE", [who, `\x01${reply}\x01`]);
  }
}
