import { describe, expect, test } from "bun:test";
import { checkGenerator, fmtGenerator } from "../../../bench/lib/generator-check.ts";
import { renderReport } from "../../../bench/lib/report.ts";
import { fanout, results, step } from "./fixtures.ts";

const ok = {
  targetMsgsPerSecond: 20_000,
  sentPerSecond: 19_990,
  generatorCpu: [0.3, 0.35],
  generatorLoop: [
    { p99Ms: 0.8, maxMs: 4 },
    { p99Ms: 1.2, maxMs: 9 },
  ],
};

describe("did the load generator keep up", () => {
  test("sending at the rate with CPU and loop delay to spare: kept up", () => {
    expect(checkGenerator(ok, 5)).toEqual({ keptUp: true, reasons: [] });
  });

  test("each way of falling behind is named, for the worker it happened on", () => {
    const c = checkGenerator(
      {
        ...ok,
        sentPerSecond: 15_000,
        generatorCpu: [0.3, 0.97],
        generatorLoop: [
          { p99Ms: 7.5, maxMs: 40 },
          { p99Ms: 1, maxMs: 2 },
        ],
      },
      5,
    );
    expect(c.keptUp).toBe(false);
    expect(c.reasons).toEqual([
      "sent 15000 of 20000 msg/s asked",
      "worker 1 at 97% of a core",
      "worker 0 event-loop delay p99 7.5 ms (> 5 ms)",
    ]);
  });

  test("a result without loop probes (older worker) is judged on rate and CPU only", () => {
    const { generatorLoop: _, ...old } = ok;
    expect(checkGenerator(old, 5).keptUp).toBe(true);
    expect(fmtGenerator(old)).toBe("CPU 30% / 35%");
  });

  test("the report cell lists every worker's CPU, loop p99 and max", () => {
    expect(fmtGenerator(ok)).toBe("CPU 30% / 35%, loop p99 0.8 / 1.2 ms, max 4.0 / 9.0 ms");
  });

  test("the (a) ramp's table shows each worker's loop delay beside its CPU", () => {
    const s = { ...step(1, 1000), generatorLoop: ok.generatorLoop };
    const md = renderReport(results({ fanout: { chat: fanout([s]) } }));
    const row = md.split("\n").find((l) => l.startsWith("| 1 | 1000 |"));
    expect(row).toContain("| CPU 10% / 10%, loop p99 0.8 / 1.2 ms, max 4.0 / 9.0 ms |");
  });
});
