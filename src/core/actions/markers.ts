/**
 * draft/read-marker: how far a person has read each conversation, kept in the
 * store so a reconnect (or the next session with that nick) sees it. Without
 * accounts the owner is the casefolded nick, as for private history; a marker
 * is only a time, never a message, and is told to nobody but its owner.
 */
import { foldCase } from "../../protocol/casemap.ts";
import { ChatError } from "../errors.ts";
import type { CoreParts } from "../parts.ts";
import type { Session } from "../state.ts";

/** The conversation key of a target, after checking this session may keep a marker there. */
function markerTarget(c: CoreParts, s: Session, target: string): string {
  const key = foldCase(target);
  if (target.startsWith("#") || target.startsWith("&")) {
    const room = c.registry.room(target);
    if (room === undefined || !room.members.has(s)) throw new ChatError("notOnChannel", [target]);
    return key;
  }
  if (!c.validNick(target)) throw new ChatError("noSuchNick", [target]);
  return key;
}

/** The time (ms) of the last message read in `target`, undefined when none is known. */
export function readMarker(c: CoreParts, s: Session, target: string): number | undefined {
  return c.history.store.readMarker(foldCase(s.nick ?? ""), markerTarget(c, s, target));
}

/**
 * Move the marker to `time`: only forward (a device that read less does not
 * undo another's reading) and never past now. Returns the stored time.
 */
export function setReadMarker(c: CoreParts, s: Session, target: string, time: number): number {
  const key = markerTarget(c, s, target);
  const nick = foldCase(s.nick ?? "");
  const stored = c.history.store.readMarker(nick, key);
  const next = Math.min(time, c.now());
  if (stored !== undefined && next <= stored) return stored;
  c.history.store.saveReadMarker(nick, key, next);
  return next;
}
