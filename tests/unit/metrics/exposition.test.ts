/** The hand-written Prometheus text: what a scraper reads must parse, with exact values. */
import { describe, expect, test } from "bun:test";
import { Histogram } from "../../../src/metrics/counters.ts";
import { formatValue, render } from "../../../src/metrics/exposition.ts";
import { parsePrometheus, sampleValue } from "../../helpers/prometheus.ts";

describe("render", () => {
  test("counters and gauges with labels, escaped, parse back to the same numbers", () => {
    const text = render([
      {
        name: "chat_things_total",
        help: "Things with a \\ and a\nnewline",
        type: "counter",
        samples: [
          { labels: { reason: 'say "hi"\\' }, value: 3 },
          { labels: { reason: "plain" }, value: 0.5 },
        ],
      },
      { name: "chat_level", help: "A level.", type: "gauge", samples: [{ value: -2 }] },
    ]);
    expect(text).toContain("# HELP chat_things_total Things with a \\\\ and a\\nnewline\n");
    const parsed = parsePrometheus(text);
    expect(sampleValue(parsed, "chat_things_total", { reason: 'say "hi"\\' })).toBe(3);
    expect(sampleValue(parsed, "chat_things_total", { reason: "plain" })).toBe(0.5);
    expect(sampleValue(parsed, "chat_level")).toBe(-2);
  });

  test("a histogram's buckets are cumulative and end with +Inf equal to the count", () => {
    const h = new Histogram([0.001, 0.01, 0.1]);
    for (const v of [0.0005, 0.001, 0.005, 0.05, 3]) h.observe(v);
    const text = render([
      {
        name: "chat_flush_seconds",
        help: "Flushes.",
        type: "histogram",
        bounds: h.bounds,
        counts: h.counts,
        sum: h.sum,
        count: h.count,
      },
    ]);
    const parsed = parsePrometheus(text);
    expect(sampleValue(parsed, "chat_flush_seconds_bucket", { le: "0.001" })).toBe(2);
    expect(sampleValue(parsed, "chat_flush_seconds_bucket", { le: "0.01" })).toBe(3);
    expect(sampleValue(parsed, "chat_flush_seconds_bucket", { le: "0.1" })).toBe(4);
    expect(sampleValue(parsed, "chat_flush_seconds_bucket", { le: "+Inf" })).toBe(5);
    expect(sampleValue(parsed, "chat_flush_seconds_count")).toBe(5);
    expect(sampleValue(parsed, "chat_flush_seconds_sum")).toBeCloseTo(3.0565, 6);
  });

  test("special values are written the Prometheus way", () => {
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(1e21)).toBe("1e+21");
  });

  test("the test parser refuses what a scraper would (so the tests above can fail)", () => {
    expect(() => parsePrometheus("chat_x 1\n")).toThrow(/before any family/);
    expect(() => parsePrometheus("# HELP chat_x x\n# TYPE chat_x counter\nchat_x 1\n")).toThrow(
      /without _total/,
    );
    expect(() =>
      parsePrometheus(
        '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      ),
    ).toThrow(/cumulative/);
  });
});
