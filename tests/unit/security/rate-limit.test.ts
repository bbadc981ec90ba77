import { describe, expect, test } from "bun:test";
import { humanSeconds, SlidingWindow } from "../../../src/security/rate-limit.ts";

describe("SlidingWindow", () => {
  test("allows max actions per window, then refuses until the oldest ages out", () => {
    const w = new SlidingWindow({ max: 3, windowMs: 10_000 });
    expect(w.take(0)).toBe(true);
    expect(w.take(1_000)).toBe(true);
    expect(w.take(2_000)).toBe(true);
    expect(w.take(3_000)).toBe(false);
    expect(w.retryAfter(3_000)).toBe(7_000);
    expect(w.take(9_999)).toBe(false);
    expect(w.take(10_000)).toBe(true);
    expect(w.take(10_500)).toBe(false);
    expect(w.take(11_000)).toBe(true);
  });

  test("a refused action does not extend the wait", () => {
    const w = new SlidingWindow({ max: 1, windowMs: 1_000 });
    expect(w.take(0)).toBe(true);
    for (let t = 100; t < 1_000; t += 100) expect(w.take(t)).toBe(false);
    expect(w.take(1_000)).toBe(true);
  });

  test("max 0 means no limit; waits read naturally", () => {
    const w = new SlidingWindow({ max: 0, windowMs: 1 });
    for (let i = 0; i < 100; i++) expect(w.take(0)).toBe(true);
    expect(humanSeconds(400)).toBe("1 second");
    expect(humanSeconds(29_001)).toBe("30 seconds");
  });
});
