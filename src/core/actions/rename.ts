/**
 * draft/channel-rename: a room operator (or a server operator) gives a room a
 * new name. Everything about the room stays (members and their status, modes,
 * topic, bans, invites); it is re-keyed in the registry, in each member's
 * rooms, on the bus and in the stored room state, then the RENAME event goes
 * out on the new name's topic; history follows it there (history.ts).
 */
import { foldCase } from "../../protocol/casemap.ts";
import { byteLength, clipBytes } from "../../protocol/text.ts";
import type { RenameOutcome } from "../api.ts";
import { ChatError } from "../errors.ts";
import { type CoreParts, eventBase } from "../parts.ts";
import type { Session } from "../state.ts";
import { LINE_BYTES } from "./identity.ts";
import { roomOf, saveRoom, validChannel } from "./rooms.ts";

export function rename(
  c: CoreParts,
  s: Session,
  from: string,
  to: string,
  reason: string,
): RenameOutcome {
  const room = roomOf(c, from);
  if (!s.oper) {
    if (!room.members.has(s)) throw new ChatError("notOnChannel", [room.name]);
    if (!room.isOp(s)) throw new ChatError("chanOpPrivsNeeded", [room.name]);
  }
  if (!validChannel(c, to)) return "cannot-rename";
  const folded = foldCase(to);
  const old = { name: room.name, folded: room.folded };
  // Another spelling of the same name is allowed (the spec requires case changes).
  if (folded !== old.folded && c.registry.rooms.has(folded)) return "in-use";
  if (to === old.name) return "renamed";
  c.delivery.unwatchRoom(room);
  c.registry.rooms.delete(old.folded);
  room.name = to;
  room.folded = folded;
  c.registry.rooms.set(folded, room);
  for (const m of room.members.keys()) {
    m.deleteRoom(old.folded);
    m.addRoom(room);
  }
  if (room.members.size > 0) c.delivery.watchRoom(room);
  c.history.store.deleteRoom(old.name);
  saveRoom(c, room);
  const fits = LINE_BYTES - byteLength(`:${s.prefix} RENAME ${old.name} ${to} :`);
  c.bus.publish(folded, {
    ...eventBase(c, s),
    type: "rename",
    channel: to,
    from: old.name,
    reason: clipBytes(reason, fits),
  });
  return "renamed";
}
