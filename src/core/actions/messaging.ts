/**
 * PRIVMSG, NOTICE and TAGMSG, to a room or a person, published on the room's
 * or the recipient's topic (and, for a private message, the sender's own for
 * its echo). History is written from the bus (history.ts), not here.
 */

import type { MessageEvent, TagmsgEvent } from "../../bus/events.ts";
import { byteLength, clipBytes } from "../../protocol/text.ts";
import { ChatError } from "../errors.ts";
import { type CoreParts, eventBase } from "../parts.ts";
import { sendRefusal } from "../rules.ts";
import type { Session } from "../state.ts";
import { LINE_BYTES } from "./identity.ts";
import { roomOf } from "./rooms.ts";

interface Destination {
  name: string;
  topics: string[];
  away?: string;
  nick?: string;
  /** STATUSMSG: only members with at least this status see it. */
  statusmsg?: "@" | "+";
}

/** Where a message goes: a room's topic, or a person's (and back to the sender's). */
function resolve(c: CoreParts, s: Session, target: string, text = ""): Destination {
  const first = target.charCodeAt(0);
  // STATUSMSG (`@#room`, `+#room`): the room's operators, or its voiced members and operators.
  if ((first === 64 /* @ */ || first === 43) /* + */ && target.charCodeAt(1) === 35) {
    const inner = resolve(c, s, target.slice(1), text);
    const status = target[0] as "@" | "+";
    return { name: status + inner.name, topics: inner.topics, statusmsg: status };
  }
  if (first === 35 /* # */) {
    const room = roomOf(c, target);
    const refused = sendRefusal(room, s, text);
    if (refused !== undefined) throw refused;
    return { name: room.name, topics: [room.folded] };
  }
  const dest = c.registry.user(target);
  if (dest?.nick === undefined || dest.folded === undefined) {
    throw new ChatError("noSuchNick", [target]);
  }
  const topics = [dest.folded];
  // The sender's copy, for echo-message; not needed when writing to oneself.
  if (dest !== s && s.folded !== undefined && s.hasCap("echo-message")) topics.push(s.folded);
  const out: Destination = {
    name: dest.nick,
    topics,
    nick: dest.nick,
  };
  if (dest.away !== undefined) out.away = dest.away;
  return out;
}

export function send(
  c: CoreParts,
  s: Session,
  command: "PRIVMSG" | "NOTICE",
  target: string,
  text: string,
  clientTags: [string, string][] | undefined,
  multiline = false,
): { nick?: string; away?: string } {
  if (!s.registered || s.nick === undefined) throw new ChatError("notRegistered");
  if (target === "") throw new ChatError("noRecipient", [], `No recipient given (${command})`);
  if (text === "") throw new ChatError("noTextToSend");
  const to = resolve(c, s, target, text);
  s.lastSpoke = c.now();
  // Written out rather than spread from eventBase: this is the hot path.
  const ev: MessageEvent = {
    source: s.prefix,
    time: c.now(),
    msgid: c.ids.next(),
    origin: { node: c.node, conn: s.id },
    type: "message",
    command,
    target: to.name,
    text,
  };
  if (clientTags !== undefined && clientTags.length > 0) ev.clientTags = clientTags;
  if (to.statusmsg !== undefined) ev.statusmsg = to.statusmsg;
  if (s.umodes.has("B")) ev.bot = true;
  // A multi-line message is cut into lines that fit when it is rendered, not here.
  if (multiline) ev.multiline = true;
  else fitRelayed(ev);
  for (const topic of to.topics) c.bus.publish(topic, ev);
  c.counters.messagesIn++;
  const result: { nick?: string; away?: string } = {};
  if (to.nick !== undefined) result.nick = to.nick;
  if (to.away !== undefined) result.away = to.away;
  return result;
}

/** TAGMSG: client-only tags (typing notifications, reactions) with no text; never stored. */
export function tagmsg(
  c: CoreParts,
  s: Session,
  target: string,
  clientTags: [string, string][],
): void {
  if (!s.registered || s.nick === undefined) throw new ChatError("notRegistered");
  const to = resolve(c, s, target);
  const ev: TagmsgEvent = {
    ...eventBase(c, s),
    type: "tagmsg",
    target: to.name,
    clientTags,
  };
  if (to.statusmsg !== undefined) ev.statusmsg = to.statusmsg;
  if (s.umodes.has("B")) ev.bot = true;
  for (const topic of to.topics) c.bus.publish(topic, ev);
}

/**
 * A relayed message gains the sender's full prefix, so a 510-byte PRIVMSG would
 * reach others longer than 512 bytes, which many clients cut or drop. Like
 * InspIRCd, cut the text so the line that is relayed, echoed and stored fits.
 */
function fitRelayed(ev: MessageEvent): void {
  const room = Math.max(LINE_BYTES - byteLength(`:${ev.source} ${ev.command} ${ev.target} :`), 2);
  const clipped = clipBytes(ev.text, room);
  if (clipped === ev.text) return;
  // A cut CTCP (a long /me) keeps its closing \x01, so it still shows as an action.
  const ctcp = ev.text.length > 1 && ev.text.startsWith("\x01") && ev.text.endsWith("\x01");
  ev.text = ctcp ? `${clipBytes(ev.text, room - 1)}\x01` : clipped;
}
