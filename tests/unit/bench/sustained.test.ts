import { describe, expect, test } from "bun:test";
import { TAIL_RATE } from "../../../bench/lib/args.ts";
import {
  metricValue,
  type SustainedResult,
  summarizeTail,
  sustainedSection,
  sustainedSummaryRows,
} from "../../../bench/lib/sustained.ts";
import { step } from "./fixtures.ts";

const SCRAPE = `# HELP chat_event_loop_delay_seconds How late the last event-loop probe ran.
# TYPE chat_event_loop_delay_seconds gauge
chat_event_loop_delay_seconds 0.0012
# TYPE chat_event_loop_delay_max_seconds gauge
chat_event_loop_delay_max_seconds 0.0345
chat_history_flush_seconds_bucket{le="0.001"} 3
`;

function run(
  p99s: number[],
  loop: number[],
  rate = 3000,
  overall?: { p99Ms: number; maxMs: number },
): SustainedResult {
  return {
    kind: "sustained",
    rateMsgsPerSecond: rate,
    windowMs: 5000,
    windows: p99s.map((p99, i) => step(i + 1, rate, { p99 })),
    ...(overall ? { overall: { count: 1, p50Ms: 1, p90Ms: 2, ...overall } } : {}),
    loopDelayMs: loop,
    history: { sent: 100, stored: 100 },
  };
}

/** A run at the rate with the given whole-run p99 and max. */
const atRate = (p99Ms: number, maxMs: number): SustainedResult =>
  run([p99Ms, p99Ms], [1], TAIL_RATE, { p99Ms, maxMs });

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

  test("p99 and max are the whole run's, with what the generator offered", () => {
    const t = summarizeTail(run([10, 40], [1], TAIL_RATE, { p99Ms: 30, maxMs: 160 }));
    expect(t.runP99Ms).toBe(30);
    expect(t.runMaxMs).toBe(160);
    expect(t.met).toBe(false); // max over 150 ms
    expect(t.offeredDeliveriesPerSecond).toBe(TAIL_RATE * 499);
    expect(t.generatorBehind).toBe(0);
    // An older result without the whole-run figures falls back to the worst window.
    const old = summarizeTail(run([10, 40], [1]));
    expect([old.runP99Ms, old.runMaxMs, old.met]).toEqual([40, 12, true]);
  });

  test("the summary says yes only when every run met both targets at 3.2 M offered", () => {
    const rows = (runs: SustainedResult[]): string[] =>
      sustainedSummaryRows(runs.map((chat) => ({ chat })));
    const five = Array.from({ length: 5 }, () => atRate(20, 90));
    expect(rows(five)[0]).toMatch(/^\| \(g\) 10 s of fan-out with history on, 5 run\(s\)/);
    expect(rows(five)[0]).toMatch(/\| 20\.0 ms \|.*\| yes \|$/);
    expect(rows(five)[1]).toMatch(/\| 90\.0 ms \|.*\| yes \|$/);
    const oneSpike = [...five.slice(0, 4), atRate(20, 400)];
    expect(rows(oneSpike)[0]).toMatch(/\*\*no\*\* \(4 of 5 runs\)/);
    expect(rows(oneSpike)[1]).toMatch(/\| 400 ms \|.*\| \*\*no\*\* \|$/);
    // Below the rate (quick mode, --rate, a generator that could not offer it): not a pass.
    expect(rows([run([10], [1], 3000, { p99Ms: 10, maxMs: 20 })])[0]).toMatch(
      /\*\*not at the target rate\*\*: met at 1\.497 M offered/,
    );
    expect(rows([atRate(10, 20)])[0]).toMatch(/yes in 1 run\(s\) \(target: 5\)/);
    expect(sustainedSummaryRows([{ chat: "failed: boom" }])).toEqual([]);
  });

  test("a run the server cut short (a client dropped) fails, and its row says why", () => {
    const cut = atRate(10, 20);
    cut.windowsPlanned = 12;
    const last = cut.windows.at(-1);
    if (last) {
      last.disconnected = 490;
      last.dropReasons = { "ERROR :SendQ exceeded": 490 };
    }
    expect(summarizeTail(cut).met).toBe(false);
    const row = sustainedSection([{ chat: cut }]).find((l) => l.startsWith("| 1 | chat |"));
    expect(row).toContain("2 (of 12, ended by 490 dropped: 490x ERROR :SendQ exceeded)");
    expect(row).toMatch(/\| \*\*no\*\* \|$/);
  });

  test("the report has one row per server per round, and a failure as its reason", () => {
    const lines = sustainedSection([{ chat: run([10], [1, 2]), "chat-baseline": "failed: boom" }]);
    expect(lines[0]).toMatch(/^## \(g\)/);
    expect(lines.filter((l) => l.startsWith("| 1 | chat |"))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith("| 1 | chat-baseline | failed: boom"))).toBe(true);
    expect(sustainedSection(undefined)).toEqual([]);
  });
});
