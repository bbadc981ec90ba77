import { describe, expect, test } from "bun:test";
import {
  BUCKET_COUNT,
  bucketOf,
  bucketRange,
  LatencyHistogram,
  median,
  summarizeDelivery,
} from "../../../bench/lib/stats.ts";

function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

describe("latency histogram", () => {
  test("percentiles are exact below 128 µs", () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    expect(h.percentile(50)).toBe(50);
    expect(h.percentile(90)).toBe(90);
    expect(h.percentile(99)).toBe(99);
    expect(h.percentile(100)).toBe(100);
    expect(h.maxUs).toBe(100);
    expect(h.count).toBe(100);
  });

  test("percentiles stay within 2% of the exact nearest-rank value over a wide range", () => {
    // Deterministic pseudo-random latencies from 50 µs to ~20 s, heavy-tailed like real runs.
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values: number[] = [];
    const h = new LatencyHistogram();
    for (let i = 0; i < 20000; i++) {
      const v = Math.round(50 * Math.exp(rand() * 13));
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.02);
    }
    expect(h.maxUs).toBe(values[values.length - 1] as number);
  });

  test("a percentile never reports more than the largest sample", () => {
    const h = new LatencyHistogram();
    h.record(1000);
    expect(h.percentile(99)).toBe(1000);
  });

  test("an empty histogram has no percentiles", () => {
    expect(Number.isNaN(new LatencyHistogram().percentile(50))).toBe(true);
  });

  test("merging worker histograms, also through JSON, equals recording everything in one", () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = (i * 7919) % 300000;
      (i % 2 === 0 ? a : b).record(v);
      all.record(v);
    }
    const merged = LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    merged.merge(b);
    expect(merged.count).toBe(all.count);
    expect(merged.maxUs).toBe(all.maxUs);
    for (const p of [1, 50, 90, 99, 100]) expect(merged.percentile(p)).toBe(all.percentile(p));
  });

  test("every value falls in the bucket whose range contains it", () => {
    for (const v of [0, 1, 127, 128, 129, 1000, 65535, 65536, 1e6, 3e7, 2 ** 31 - 1]) {
      const idx = bucketOf(v);
      expect(idx).toBeLessThan(BUCKET_COUNT);
      const [lo, hi] = bucketRange(idx);
      expect(lo).toBeLessThanOrEqual(v);
      expect(hi).toBeGreaterThanOrEqual(v);
      expect((hi - lo) / Math.max(1, lo)).toBeLessThan(0.02);
    }
  });
});

describe("delivery summary", () => {
  test("expected deliveries are messages times recipients; the ratio and rate follow", () => {
    const s = summarizeDelivery({
      sent: 1000,
      recipientsPerMessage: 499,
      received: 494010,
      windowSeconds: 5,
    });
    expect(s.expected).toBe(499000);
    expect(s.ratio).toBeCloseTo(0.99, 10);
    expect(s.deliveriesPerSecond).toBe(98802);
  });

  test("nothing sent counts as full delivery, not a division by zero", () => {
    const s = summarizeDelivery({
      sent: 0,
      recipientsPerMessage: 9,
      received: 0,
      windowSeconds: 1,
    });
    expect(s.ratio).toBe(1);
  });

  test("median handles odd, even and empty lists", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});
