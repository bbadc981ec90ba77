/**
 * The numbers the server counts while it runs, as plain fields that the hot
 * paths increment (`counters.deliveriesOut++`): no labels, no maps, no
 * allocation per message. The metrics endpoint reads them when scraped
 * (collect.ts). One object per server, owned by its Core.
 */

/** Why a connection was refused before it said anything (the `reason` label). */
export type RefusalReason =
  | "server_full"
  | "password_lockout"
  | "dline"
  | "per_address"
  | "shutdown";

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  "server_full",
  "password_lockout",
  "dline",
  "per_address",
  "shutdown",
];

/** Upper bounds (seconds) of the history flush histogram: 0.1 ms to 1 s. */
export const FLUSH_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** A Prometheus histogram with fixed buckets: counts per bucket (not cumulative), sum, count. */
export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > (b[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

export class ServerCounters {
  connectionsAccepted = 0;
  /** PRIVMSG/NOTICE accepted from this server's users. */
  messagesIn = 0;
  /** Messages handed to the history store. */
  historyAppends = 0;
  /** Copies of events queued to sessions (one per recipient). */
  deliveriesOut = 0;
  bytesIn = 0;
  /** Bytes the sockets accepted. */
  bytesOut = 0;
  sendQDisconnects = 0;
  floodDisconnects = 0;
  /** Connections refused at accept, by reason; plus registrations refused by a K-line. */
  readonly refused: Record<RefusalReason | "kline", number> = {
    server_full: 0,
    password_lockout: 0,
    dline: 0,
    per_address: 0,
    shutdown: 0,
    kline: 0,
  };
  /** How long each history commit with messages in it (at most one per turn) took, seconds. */
  readonly historyFlush = new Histogram(FLUSH_BUCKETS);
}
