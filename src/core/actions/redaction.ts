/**
 * draft/message-redaction: withdrawing a stored message. Its author may redact
 * it; in a room, room operators and server operators may redact any message.
 * The REDACT event goes where the message went, and history (on every node,
 * from the bus) forgets the message.
 */
import { foldCase } from "../../protocol/casemap.ts";
import { byteLength, clipBytes } from "../../protocol/text.ts";
import { privateKey } from "../../store/store.ts";
import type { RedactOutcome } from "../api.ts";
import { ChatError } from "../errors.ts";
import { type CoreParts, eventBase } from "../parts.ts";
import type { Session } from "../state.ts";
import { LINE_BYTES } from "./identity.ts";

export function redact(
  c: CoreParts,
  s: Session,
  target: string,
  msgid: string,
  reason: string | undefined,
): RedactOutcome {
  if (!s.registered || s.folded === undefined) throw new ChatError("notRegistered");
  let key: string;
  let shown: string;
  let topics: string[];
  let mayAny = false;
  if (target.startsWith("#")) {
    const room = c.registry.room(target);
    if (room === undefined || (!room.members.has(s) && !s.oper)) return "invalid-target";
    key = room.folded;
    shown = room.name;
    topics = [room.folded];
    mayAny = s.oper || room.isOp(s);
  } else {
    // A private chat: only its own author may withdraw a message from it.
    if (!c.validNick(target)) return "invalid-target";
    const other = foldCase(target);
    key = privateKey(s.folded, other);
    shown = c.registry.holder(target)?.nick ?? target;
    topics = other === s.folded ? [other] : [other, s.folded];
  }
  const entry = c.history.message(key, msgid);
  if (entry === undefined) return "unknown-msgid";
  if (!mayAny && !c.history.wrote(s, entry)) return "forbidden";
  const ev = { ...eventBase(c, s), type: "redact" as const, target: shown, redacted: msgid };
  const fits = LINE_BYTES - byteLength(`:${s.prefix} REDACT ${shown} ${msgid} :`);
  const why = reason === undefined || reason === "" ? undefined : clipBytes(reason, fits);
  for (const topic of topics) c.bus.publish(topic, why === undefined ? ev : { ...ev, reason: why });
  return "redacted";
}
