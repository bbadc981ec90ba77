/**
 * /search and /mentions: the SEARCH request (soju.im/search syntax) and its
 * results, which arrive as a `soju.im/search` batch of stored messages. They
 * are found lines, not news: they become message events marked `found` (never
 * filed as live traffic, never moving the catch-up point), which the UI lists
 * with a number to /jump to. Pure.
 */
import { foldCase } from "../protocol/casemap.ts";
import { escapeTagValue, type IrcMessage, message } from "../protocol/message.ts";
import { nickOf } from "../protocol/text.ts";
import { parseCtcp } from "./ctcp.ts";
import type { MessageEvent } from "./events.ts";
import type { ClientState } from "./state.ts";
import type { Windows } from "./windows.ts";

/** Results asked for per search. */
export const SEARCH_LIMIT = 50;

/** `SEARCH :text=...;in=...;limit=...` with values escaped as tag values. */
export function searchRequest(words: string, target: string | undefined): IrcMessage {
  const attrs = [`text=${escapeTagValue(words)}`];
  if (target !== undefined) attrs.push(`in=${escapeTagValue(target)}`);
  attrs.push(`limit=${SEARCH_LIMIT}`);
  return message("SEARCH", [attrs.join(";")]);
}

/** `/search deploy failed in #dev` -> words and the room (the "in ROOM" part is optional). */
export function parseSearchArgs(args: string): { words: string; target?: string } {
  const m = /^(.*?)\s+in\s+(\S+)\s*$/.exec(args.trim());
  if (m !== null && m[1] !== undefined && m[1] !== "" && m[2] !== undefined)
    return { words: m[1], target: m[2] };
  return { words: args.trim() };
}

/** A line of a soju.im/search batch as a found message; undefined for any other line. */
export function foundMessage(
  state: ClientState,
  msg: IrcMessage,
  now: number,
): MessageEvent | undefined {
  if (msg.command !== "PRIVMSG" && msg.command !== "NOTICE") return undefined;
  const ref = msg.tags.get("batch");
  if (ref === undefined || state.batches.get(ref) !== "soju.im/search") return undefined;
  const target = msg.params[0] ?? "";
  const nick = nickOf(msg.source ?? "");
  let text = msg.params[1] ?? "";
  let kind: MessageEvent["kind"] = msg.command === "NOTICE" ? "notice" : "privmsg";
  const ctcp = parseCtcp(text);
  if (ctcp?.verb === "ACTION") {
    kind = "action";
    text = ctcp.args;
  }
  const self = state.isMe(nick);
  const t = Date.parse(msg.tags.get("time") ?? "");
  const ev: MessageEvent = {
    type: "message",
    kind,
    time: new Date(Number.isNaN(t) ? now : t),
    room: state.isChannel(target) || self ? target : nick,
    nick,
    text,
    self,
    history: true,
    mention: false,
    found: true,
  };
  const msgid = msg.tags.get("msgid");
  if (msgid !== undefined) ev.msgid = msgid;
  return ev;
}

/** The recent messages that mention us, across every window, oldest first. */
export function recentMentions(windows: Windows, limit: number): MessageEvent[] {
  const out: MessageEvent[] = [];
  for (const w of windows.list)
    for (const e of w.events) if (e.type === "message" && e.mention && !e.found) out.push(e);
  out.sort((a, b) => a.time.getTime() - b.time.getTime());
  return out.slice(Math.max(0, out.length - limit));
}

/** Whether two names are the same room or nick. */
export function sameName(a: string, b: string): boolean {
  return foldCase(a) === foldCase(b);
}
