/**
 * Abuse limits beyond the flood bucket (issue 6): nick-change and join/part
 * rates per user, and a cap on members listed in one reply. The windows live
 * in WeakMaps keyed by session, so an idle connection that never changes nick
 * or joins a room costs nothing extra.
 */
import { ChatError } from "../server/errors.ts";
import type { Limits } from "../server/limits.ts";
import { humanSeconds, SlidingWindow } from "./rate-limit.ts";

const nickWindows = new WeakMap<object, SlidingWindow>();
const joinWindows = new WeakMap<object, SlidingWindow>();

function windowFor(
  map: WeakMap<object, SlidingWindow>,
  who: object,
  max: number,
  windowMs: number,
): SlidingWindow {
  let w = map.get(who);
  if (w === undefined) {
    w = new SlidingWindow({ max, windowMs });
    map.set(who, w);
  }
  return w;
}

/** Throws ERR_NICKTOOFAST (438) when a registered user changes nick too often. */
export function checkNickChange(limits: Limits, who: object, nick: string, now: number): void {
  if (limits.nickChangeMax <= 0) return;
  const w = windowFor(nickWindows, who, limits.nickChangeMax, limits.nickChangeWindowMs);
  if (w.take(now)) return;
  throw new ChatError(
    "nickTooFast",
    [nick],
    `Nick change too fast: wait ${humanSeconds(w.retryAfter(now))} before changing your nick again`,
  );
}

/** Throws ERR_TARGETTOOFAST (439) when a user joins and parts rooms too often. */
export function checkJoinPart(limits: Limits, who: object, channel: string, now: number): void {
  if (limits.joinPartMax <= 0) return;
  const w = windowFor(joinWindows, who, limits.joinPartMax, limits.joinPartWindowMs);
  if (w.take(now)) return;
  throw new ChatError(
    "targetTooFast",
    [channel],
    `Joining and parting too fast: wait ${humanSeconds(w.retryAfter(now))} before joining or leaving ${channel}`,
  );
}

/** The first `max` items and, when some were left out, the sentence saying so. */
export function capList<T>(
  items: readonly T[],
  max: number,
  channel: string,
): { shown: readonly T[]; note?: string } {
  if (max <= 0 || items.length <= max) return { shown: items };
  return {
    shown: items.slice(0, max),
    note: `${channel} has ${items.length} members; only the first ${max} are listed`,
  };
}
