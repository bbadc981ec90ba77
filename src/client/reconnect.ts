/** When to try again after a drop: backoff that grows to 15 s, with jitter. */

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000] as const;

export class Reconnect {
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly random: () => number = Math.random) {}

  /** Run `retry` after the next delay in the backoff. */
  schedule(retry: () => void): void {
    const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)] as number;
    this.attempts++;
    // Jitter so a room full of clients does not reconnect in lockstep after a restart.
    const jittered = Math.round(delay * (0.8 + this.random() * 0.4));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      retry();
    }, jittered);
  }

  /** Connected again (or freshly dropped): the next wait starts short. */
  reset(): void {
    this.attempts = 0;
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
