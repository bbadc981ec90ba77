/**
 * Event-loop delay, measured the simple way: a timer asks to run every
 * `intervalMs` and notes how late it ran. Late means every socket waited that
 * long. Keeps the last delay and the worst since the last scrape.
 */
export class EventLoopMonitor {
  last = 0;
  private worst = 0;
  private expected: number;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly intervalMs = 100) {
    this.expected = performance.now() + intervalMs;
    this.timer = setInterval(() => this.sample(), intervalMs);
    // Never the reason the process stays alive.
    this.timer.unref();
  }

  private sample(): void {
    const now = performance.now();
    this.last = Math.max(0, now - this.expected) / 1000;
    if (this.last > this.worst) this.worst = this.last;
    this.expected = now + this.intervalMs;
  }

  /** The worst delay (seconds) since the previous call, then start over. */
  takeWorst(): number {
    const w = Math.max(this.worst, this.last);
    this.worst = 0;
    return w;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
