/**
 * Timers for links that go quiet: a server that never welcomes us, and a peer
 * that vanished without closing (no FIN after a network change). Unref'd, so
 * they never keep a finished pipe-mode process alive.
 */
import { duration } from "./connect-error.ts";

export interface LivenessTimes {
  /** Give up on a server that accepts TCP but never welcomes us. */
  registerMs: number;
  /** Silence after which we PING the server; twice this and the link is dead. */
  idleMs: number;
}

export interface LivenessEvents {
  registered(): boolean;
  /** Registration took too long; `why` says so in words. */
  noWelcome(why: string): void;
  /** Quiet for idleMs: ask the server whether it is still there. */
  ping(): void;
  /** Quiet for twice idleMs: the link is dead. */
  dead(why: string): void;
}

export class Liveness {
  private registerTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private pinged = false;

  constructor(
    private readonly times: LivenessTimes,
    private readonly on: LivenessEvents,
  ) {}

  /** Start watching a new link (and stop watching the previous one). */
  start(where: string): void {
    this.stop();
    const { registerMs, idleMs } = this.times;
    this.registerTimer = setTimeout(() => {
      if (this.on.registered()) return;
      this.on.noWelcome(`${where} did not answer as a chat server within ${duration(registerMs)}`);
    }, registerMs);
    this.registerTimer.unref?.();
    this.heard();
    this.idleTimer = setInterval(
      () => {
        const quiet = Date.now() - this.lastHeard;
        if (quiet >= 2 * idleMs) {
          this.on.dead(`no answer from the server for ${duration(quiet)}`);
        } else if (quiet >= idleMs && !this.pinged) {
          this.pinged = true;
          this.on.ping();
        }
      },
      Math.max(50, Math.floor(idleMs / 3)),
    );
    this.idleTimer.unref?.();
  }

  heard(): void {
    this.lastHeard = Date.now();
    this.pinged = false;
  }

  stop(): void {
    if (this.registerTimer !== undefined) clearTimeout(this.registerTimer);
    if (this.idleTimer !== undefined) clearInterval(this.idleTimer);
    this.registerTimer = undefined;
    this.idleTimer = undefined;
  }
}
