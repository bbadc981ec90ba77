import { describe, expect, test } from "bun:test";
import {
  metricValue,
  type SustainedResult,
  summarizeTail,
  sustainedSection,
} from "../../../bench/lib/sustained.ts";
import { step } from "./fixtures.ts";

const SCRAPE = `# HELP chat_event_loop_delay_seconds How late the last event-loop probe ran.
# TYPE chat_event_loop_delay_seconds gauge
chat_event_loop_delay_seconds 0.0012
# TYPE chat_event_loop_delay_max_seconds gauge
chat_event_loop_delay_max_seconds 0.0345
chat_history_flush_seconds_bucket{le="0.001"} 3
`;

function run(p99s: number[], loop: number[]): SustainedResult {
  return {
    kind: "sustained",
    rateMsgsPerSecond: 3000,
    windowMs: 5000,
    windows: p99s.map((p99, i) => step(i + 1, 3000, { p99 })),
    loopDelayMs: loop,
    history: { sent: 100, stored: 100 },
  };
}

describe("(g) the tail", () => {
  test("a metric is read by its exact name, not a longer one sharing the prefix", () => {
    expect(metricValue(SCRAPE, "chat_event_loop_delay_max_seconds")).toBeCloseTo(0.0345);
    expect(metricValue(SCRAPE, "chat_event_loop_delay_seconds")).toBeCloseTo(0.0012);
    expect(metricValue(SCRAPE, "chat_missing")).toBeNull();
    expect(metricValue("chat_x NaN\n", "chat_x")).toBeNull();
  });

  test("the summary takes the worst and median window and the loop delay's tail", () => {
    const loop = [...Array.from({ length: 98 }, () => 2), 30, 80];
    const t = summarizeTail(run([10, 40, 20], loop));
    expect(t.worstP99Ms).toBe(40);
    expect(t.medianP99Ms).toBe(20);
    expect(t.loopMaxMs).toBe(80);
    expect(t.loopP99Ms).toBe(80);
    expect(t.loopOver20).toBe(2);
    expect(t.loopOver50).toBe(1);
    expect(t.delivered).toBe(1);
  });

  test("no windows or no scrapes read as unknown, not as zero", () => {
    const t = summarizeTail(run([], []));
    expect(t.worstP99Ms).toBeNaN();
    expect(t.loopMaxMs).toBeNaN();
    expect(t.loopOver50).toBe(0);
  });

  test("the report has one row per server per round, and a failure as its reason", () => {
    const lines = sustainedSection([{ chat: run([10], [1, 2]), "chat-baseline": "failed: boom" }]);
    expect(lines[0]).toMatch(/^## \(g\)/);
    expect(lines.filter((l) => l.startsWith("| 1 | chat |"))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith("| 1 | chat-baseline | failed: boom"))).toBe(true);
    expect(sustainedSection(undefined)).toEqual([]);
  });
});
