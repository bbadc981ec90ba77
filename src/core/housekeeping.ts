/**
 * Housekeeping for every connection on one timer (no per-connection timers):
 * flood backlogs drained as tokens refill, silent connections taken for
 * people, registration timeouts, and PING after idle with a timeout.
 */
import type { Limits } from "./limits.ts";
import type { Session } from "./state.ts";

export interface Housekept {
  readonly limits: Readonly<Limits>;
  readonly sessions: ReadonlySet<Session>;
  /** Sessions with lines held back by the flood bucket. */
  readonly throttled: Set<Session>;
  now(): number;
  drainBacklog(s: Session, now: number): boolean;
  switchToPlain(s: Session, tentative: boolean): void;
  disconnect(s: Session, reason: string): void;
}

export function tick(h: Housekept): void {
  const now = h.now();
  const l = h.limits;
  for (const s of h.throttled) {
    if (!h.drainBacklog(s, now)) h.throttled.delete(s);
  }
  for (const s of h.sessions) {
    if (s.mode === "undecided" && now - s.connectedAt >= l.plainDetectMs) {
      h.switchToPlain(s, true);
    }
    if (!s.registered) {
      const limit =
        s.mode === "plain" || s.mode === "plain-tentative"
          ? l.plainRegistrationTimeoutMs
          : l.registrationTimeoutMs;
      if (now - s.connectedAt >= limit) h.disconnect(s, "Registration timeout");
      continue;
    }
    if (s.pingSentAt !== 0) {
      if (now - s.pingSentAt >= l.pingTimeoutMs) {
        h.disconnect(s, `Ping timeout: ${Math.round((now - s.pingSentAt) / 1000)} seconds`);
      }
    } else if (now - s.lastActive >= l.pingIdleMs) {
      // Only IRC clients can answer PING; a quiet nc reader is not a dead peer.
      const ping = s.front.ping();
      if (ping !== null) {
        s.pingSentAt = now;
        s.conn.send(ping);
      }
    }
  }
}
