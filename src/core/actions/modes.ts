/**
 * Channel modes: reading them, the ban list, and changes by room operators
 * (or server operators), announced as one MODE event.
 */

import type { BanState } from "../../store/store.ts";
import type { ModeChange, ModeView } from "../api.ts";
import { ChatError } from "../errors.ts";
import { type CoreParts, eventBase } from "../parts.ts";
import { applyModes, type ListMode, listOf } from "../rules.ts";
import type { Session } from "../state.ts";
import { hiddenFrom, roomOf, saveRoom } from "./rooms.ts";

export function channelModes(c: CoreParts, s: Session, name: string): ModeView {
  const room = roomOf(c, name);
  return { channel: room.name, modes: room.modeString(room.members.has(s)), created: room.created };
}

export function banList(
  c: CoreParts,
  s: Session,
  name: string,
): { channel: string; bans: readonly BanState[] } {
  const { channel, entries } = modeList(c, s, name, "b");
  return { channel, bans: entries };
}

/**
 * A list mode's entries: +b bans, +e exceptions, +I invite exceptions. A
 * secret room's lists are empty to someone outside it: they name its people,
 * and nothing of a secret room is to be had from outside (RFC 2811 4.2.6).
 */
export function modeList(
  c: CoreParts,
  s: Session,
  name: string,
  mode: ListMode,
): { channel: string; entries: readonly BanState[] } {
  const room = roomOf(c, name);
  return { channel: room.name, entries: hiddenFrom(room, s) ? [] : listOf(room, mode) };
}

/**
 * Apply mode changes. A bad change (unknown nick, bad key) does not hide the
 * ones already applied: they are announced, then the first error is thrown.
 */
export function setModes(
  c: CoreParts,
  s: Session,
  name: string,
  changes: readonly ModeChange[],
): string[] {
  const room = roomOf(c, name);
  if (!room.isOp(s) && !s.oper) throw new ChatError("chanOpPrivsNeeded", [room.name]);
  const out = applyModes(room, changes, s, c.now(), c.limits, (nick) => c.registry.user(nick));
  if (out.modes.length > 0) {
    if (out.stateChanged) saveRoom(c, room);
    c.bus.publish(room.folded, {
      ...eventBase(c, s),
      type: "mode",
      channel: room.name,
      modes: out.modes,
    });
    // Bans are moderation a host may need to trace later; other modes are not logged.
    if (/b/.test(out.modes[0] ?? "")) {
      const modes = out.modes.join(" ");
      c.event({
        level: "info",
        event: "ban",
        msg: `MODE ${room.name} ${modes} by ${s.nick ?? "?"}`,
        fields: { channel: room.name, modes, by: s.nick },
      });
    }
  }
  if (out.failed !== undefined) throw out.failed;
  return out.modes;
}
