/**
 * Abuse limits beyond the flood bucket: how often one user may change nick and
 * join or part rooms. A sliding window per user with an injected clock, so
 * tests drive it without waiting. Pure.
 */
export interface WindowLimit {
  /** Actions allowed within `windowMs`. */
  max: number;
  windowMs: number;
}

export class SlidingWindow {
  /** Times of recent allowed actions, oldest first; never longer than `max`. */
  private times: number[] = [];

  constructor(private readonly limit: WindowLimit) {}

  /** Record an action at `now` if allowed; false when over the limit. */
  take(now: number): boolean {
    if (this.limit.max <= 0) return true;
    const cutoff = now - this.limit.windowMs;
    while (this.times.length > 0 && (this.times[0] as number) <= cutoff) this.times.shift();
    if (this.times.length >= this.limit.max) return false;
    this.times.push(now);
    return true;
  }

  /** Forget one action recorded at `at` (it turned out not to count). */
  untake(at: number): void {
    const i = this.times.lastIndexOf(at);
    if (i >= 0) this.times.splice(i, 1);
  }

  /** Milliseconds until the next action is allowed (0 if now). */
  retryAfter(now: number): number {
    if (this.times.length < this.limit.max) return 0;
    return Math.max(0, (this.times[0] as number) + this.limit.windowMs - now);
  }
}

/** "30 seconds", "1 second": for refusal messages people read. */
export function humanSeconds(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s === 1 ? "1 second" : `${s} seconds`;
}
