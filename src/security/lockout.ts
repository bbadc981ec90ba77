/**
 * Password guessing across reconnects. A wrong server password closes the
 * connection (IRC) or allows three tries (plain text), but nothing stopped a
 * client from reconnecting and guessing on. Each address (IPv6 by /64) may fail
 * `max` times per window; past that, new connections from it are refused until
 * the oldest failure ages out.
 */
import type { Limits } from "../server/limits.ts";
import { addressKey } from "./address.ts";
import { SlidingWindow } from "./rate-limit.ts";

const failuresByServer = new WeakMap<object, Map<string, SlidingWindow>>();

/** Bounded: the oldest addresses are forgotten past this many. */
const MAX_TRACKED = 10_000;

function table(server: object): Map<string, SlidingWindow> {
  let m = failuresByServer.get(server);
  if (m === undefined) {
    m = new Map();
    failuresByServer.set(server, m);
  }
  return m;
}

/** Record one wrong password from `ip`. */
export function notePasswordFailure(server: object, limits: Limits, ip: string, now: number): void {
  if (limits.passwordFailuresMax <= 0) return;
  const m = table(server);
  const key = addressKey(ip);
  let w = m.get(key);
  if (w === undefined) {
    if (m.size >= MAX_TRACKED) {
      const oldest = m.keys().next().value;
      if (oldest !== undefined) m.delete(oldest);
    }
    w = new SlidingWindow({
      max: limits.passwordFailuresMax,
      windowMs: limits.passwordFailuresWindowMs,
    });
    m.set(key, w);
  }
  w.take(now);
}

/** Milliseconds `ip` must wait before it may try again, or 0. */
export function passwordLockout(server: object, limits: Limits, ip: string, now: number): number {
  if (limits.passwordFailuresMax <= 0) return 0;
  return failuresByServer.get(server)?.get(addressKey(ip))?.retryAfter(now) ?? 0;
}
