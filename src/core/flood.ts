/**
 * Flood control: a token bucket per connection with an injected clock. Each
 * line costs one token; tokens refill at `rate` per second up to `burst`. Pure.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly ratePerSec: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Take a token if one is available at `now`. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  private refill(now: number): void {
    const dt = now - this.last;
    if (dt <= 0) return;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (dt * this.ratePerSec) / 1000);
  }
}
