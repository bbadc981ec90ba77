import { describe, expect, test } from "bun:test";
import {
  baselineVerdict,
  commonPassingSteps,
  cpuPerDeliveryUs,
  isWorse,
  medianRatio,
  pairedMeasures,
  worseness,
} from "../../../bench/lib/compare.ts";
import { renderReport } from "../../../bench/lib/report.ts";
import { fanout, results, step } from "./fixtures.ts";

/** A ramp that passes up to `passUpTo` (asked rate 200 x1.5 per step), then fails once. */
function ramp(passUpTo: number, cpu = 0.2): ReturnType<typeof fanout> {
  const steps = [];
  let rate = 200;
  for (let i = 1; i <= passUpTo; i++, rate *= 1.5) steps.push(step(i, rate, { cpu }));
  steps.push(step(passUpTo + 1, rate, { cpu, pass: false }));
  return fanout(steps);
}

describe("chat against chat-baseline", () => {
  test("only steps both ramps passed at the same asked rate are compared", () => {
    const a = ramp(4);
    const b = ramp(3);
    const common = commonPassingSteps(a, b);
    expect(common.map(([s, t]) => [s.step, t.step])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  test("CPU per delivery weighs every common step by its deliveries", () => {
    const steps = [
      step(1, 100, { deliveries: 1e5, cpu: 0.1 }),
      step(2, 300, { deliveries: 3e5, cpu: 0.3 }),
    ];
    expect(cpuPerDeliveryUs(steps)).toBeCloseTo(1, 6); // 0.4 s CPU / 400,000 deliveries
    expect(cpuPerDeliveryUs([])).toBeNaN();
  });

  test("worse means lower throughput or higher cost, by the given fraction", () => {
    expect(worseness(0.8, "higher")).toBeCloseTo(0.25);
    expect(worseness(1.25, "higher")).toBeCloseTo(-0.2);
    expect(worseness(1.2, "lower")).toBeCloseTo(0.2);
    expect(worseness(Number.NaN, "lower")).toBeNaN();
  });

  test("equal builds: every judged ratio is 1.00x and nothing is worse", () => {
    const r = results({ fanout: { chat: ramp(5), "chat-baseline": ramp(5) } });
    const measures = pairedMeasures(r);
    const judged = measures.filter((p) => p.judged);
    expect(judged.map((p) => medianRatio(p))).toEqual([1, 1, 1]);
    expect(measures.some(isWorse)).toBe(false);
    expect(baselineVerdict(r).at(-1)).toMatch(/not more than 10% worse/);
  });

  test("the median over rounds decides; each round keeps its own pair", () => {
    const rounds = [
      { chat: ramp(5, 0.2), "chat-baseline": ramp(5, 0.2) },
      { chat: ramp(5, 0.3), "chat-baseline": ramp(5, 0.2) }, // one noisy round: 1.5x the CPU
      { chat: ramp(5, 0.21), "chat-baseline": ramp(5, 0.2) },
    ];
    const r = results({ fanout: rounds[0] ?? {}, fanoutRounds: rounds });
    const cpu = pairedMeasures(r).find((p) => p.unit === "us");
    expect(cpu?.chat.length).toBe(3);
    expect(cpu && medianRatio(cpu)).toBeCloseTo(1.05, 6);
    expect(cpu && isWorse(cpu)).toBe(false);
  });

  test("a slower chat is called out, in the console and in the report", () => {
    const r = results({
      fanout: { chat: ramp(4, 0.3), "chat-baseline": ramp(5, 0.2) },
    });
    const lines = baselineVerdict(r);
    expect(lines.some((l) => /^WARNING: .*max sustained deliveries\/s .* at 0\.67x$/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /^WARNING: .*CPU per delivery, .* at 1\.50x$/.test(l))).toBe(true);
    const md = renderReport(r);
    expect(md).toContain("## chat against the baseline build");
    expect(md).toMatch(/\| server CPU per delivery.*\| 1\.50x \| \*\*more than 10% worse\*\* \|/);
  });

  test("latency percentiles are shown but never judged", () => {
    const slow = fanout([step(1, 200, { p99: 80 })]);
    const r = results({ fanout: { chat: slow, "chat-baseline": fanout([step(1, 200)]) } });
    const p99 = pairedMeasures(r).find((p) => p.measure.startsWith("p99"));
    expect(p99 && medianRatio(p99)).toBe(10);
    expect(p99 && isWorse(p99)).toBe(false);
  });

  test("no baseline in the run: no section, no verdict", () => {
    const r = results({ fanout: { chat: ramp(5) }, versions: { chat: "0.1.0" } });
    expect(pairedMeasures(r)).toEqual([]);
    expect(baselineVerdict(r)).toEqual([]);
    expect(renderReport(r)).not.toContain("against the baseline");
  });
});
