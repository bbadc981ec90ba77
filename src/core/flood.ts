/**
 * Flood control: a token bucket per connection with an injected clock. Each
 * line costs one token; tokens refill at `rate` per second up to `burst`. Pure.
 *
 * The bucket is two numbers kept in the session itself (`FloodTokens`), with
 * burst and rate from the limits: an object per connection was 48 bytes more
 * for every session (issue 18), and the limits are the same for all of them.
 */
export interface FloodTokens {
  floodTokens: number;
  /** When the tokens were last refilled. */
  floodLast: number;
}

/** A full bucket at `now` (a new connection, or flood control turned on by a reload). */
export function fillTokens(b: FloodTokens, burst: number, now: number): void {
  b.floodTokens = burst;
  b.floodLast = now;
}

/** Take a token if one is available at `now`. */
export function takeToken(b: FloodTokens, burst: number, ratePerSec: number, now: number): boolean {
  const dt = now - b.floodLast;
  if (dt > 0) {
    b.floodLast = now;
    b.floodTokens = Math.min(burst, b.floodTokens + (dt * ratePerSec) / 1000);
  }
  if (b.floodTokens >= 1) {
    b.floodTokens -= 1;
    return true;
  }
  return false;
}
