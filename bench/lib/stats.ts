/**
 * Latency and delivery statistics for the load generator.
 *
 * Latencies are kept in a log-linear histogram (exact below 128 µs, then 64 sub-buckets per
 * power of two, so every bucket is within ~1.6% of its values) because a fan-out run produces
 * tens of millions of samples spread over several worker processes: a fixed-size histogram
 * records in O(1) without allocation and merges by addition.
 */

const EXACT = 128;
const SUB_BUCKETS = 64;
const SUB_BITS = 6;
const MAX_US = 0x7fffffff;
/** Number of buckets needed to cover 0 .. 2^31 µs. */
export const BUCKET_COUNT = EXACT + (31 - 7) * SUB_BUCKETS;

export function bucketOf(us: number): number {
  let v = us <= 0 ? 0 : us >= MAX_US ? MAX_US : Math.round(us);
  if (v < EXACT) return v;
  const e = 31 - Math.clz32(v);
  const shift = e - SUB_BITS;
  v = v >>> shift;
  return EXACT + (e - 7) * SUB_BUCKETS + (v - SUB_BUCKETS);
}

/** Inclusive value range [low, high] in µs covered by a bucket. */
export function bucketRange(index: number): [number, number] {
  if (index < EXACT) return [index, index];
  const rel = index - EXACT;
  const e = 7 + Math.floor(rel / SUB_BUCKETS);
  const m = (rel % SUB_BUCKETS) + SUB_BUCKETS;
  const shift = e - SUB_BITS;
  return [m * 2 ** shift, (m + 1) * 2 ** shift - 1];
}

export interface HistogramJson {
  /** Sparse [bucket, count] pairs: most buckets are empty. */
  buckets: Array<[number, number]>;
  count: number;
  maxUs: number;
  sumUs: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  count = 0;
  maxUs = 0;
  sumUs = 0;

  record(us: number): void {
    const idx = bucketOf(us);
    this.counts[idx] = (this.counts[idx] ?? 0) + 1;
    this.count++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxUs = 0;
    this.sumUs = 0;
  }

  merge(other: LatencyHistogram | HistogramJson): void {
    if (other instanceof LatencyHistogram) {
      for (let i = 0; i < BUCKET_COUNT; i++) {
        this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
      }
    } else {
      for (const [idx, n] of other.buckets) {
        if (idx >= 0 && idx < BUCKET_COUNT) this.counts[idx] = (this.counts[idx] ?? 0) + n;
      }
    }
    this.count += other.count;
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
  }

  /**
   * Nearest-rank percentile in µs (p in 0..100): the smallest recorded value such that at
   * least p% of samples are <= it, reported as its bucket's midpoint (exact below 128 µs) and
   * never above the true maximum. NaN when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) {
        const [lo, hi] = bucketRange(i);
        return Math.min((lo + hi) / 2, this.maxUs);
      }
    }
    return this.maxUs;
  }

  toJSON(): HistogramJson {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const n = this.counts[i] ?? 0;
      if (n > 0) buckets.push([i, n]);
    }
    return { buckets, count: this.count, maxUs: this.maxUs, sumUs: this.sumUs };
  }

  static fromJSON(json: HistogramJson): LatencyHistogram {
    const h = new LatencyHistogram();
    h.merge(json);
    return h;
  }
}

export interface DeliveryInput {
  /** Messages the senders wrote during the measured window. */
  sent: number;
  /** How many clients should receive each message (room members other than the sender). */
  recipientsPerMessage: number;
  /** Messages of this window that receivers saw (late arrivals within the drain included). */
  received: number;
  /** Length of the sending window in seconds. */
  windowSeconds: number;
}

export interface DeliverySummary {
  expected: number;
  received: number;
  /** received / expected, 1 when nothing was expected. */
  ratio: number;
  /** Deliveries per second over the sending window. */
  deliveriesPerSecond: number;
}

export function summarizeDelivery(input: DeliveryInput): DeliverySummary {
  const expected = input.sent * input.recipientsPerMessage;
  const ratio = expected === 0 ? 1 : input.received / expected;
  const deliveriesPerSecond = input.windowSeconds > 0 ? input.received / input.windowSeconds : 0;
  return { expected, received: input.received, ratio, deliveriesPerSecond };
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeLatency(h: LatencyHistogram): LatencySummary {
  return {
    count: h.count,
    p50Ms: h.percentile(50) / 1000,
    p90Ms: h.percentile(90) / 1000,
    p99Ms: h.percentile(99) / 1000,
    maxMs: h.maxUs / 1000,
  };
}

/** Median of a list of numbers (mean of the two middle values for even lengths); NaN if empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid] ?? Number.NaN;
  return ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
