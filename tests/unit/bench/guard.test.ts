import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseBenchArgs } from "../../../bench/lib/args.ts";
import {
  currentRatios,
  fanoutMachineBusy,
  guardLines,
  guardReport,
  parseCommittedRatios,
  parseFigure,
} from "../../../bench/lib/guard.ts";
import type { IdleResult } from "../../../bench/lib/scenarios.ts";
import { fanout, results, step } from "./fixtures.ts";

const SUMMARY = `# Benchmarks

## Summary against the targets (issue 7)

| scenario | measure | chat | InspIRCd | ngIRCd | chat / InspIRCd | chat / ngIRCd | target | met? |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| (a) fan-out, 1 room of 500, 10 senders | max sustained deliveries/s (≥99% delivered, p99 ≤ 1 s) | 5.755 M | 1.705 M | 2.558 M | 3.38x | 2.25x |  |  |
|  | p99 at that rate | 51.5 ms | 52.5 ms | 553 ms | 0.98x | 0.09x |  |  |
|  | max deliveries/s with p99 ≤ 100 ms | 5.755 M | 1.705 M | 1.705 M | 3.38x | 3.38x | ≥ 2x | yes |
| (c) 10000 idle registered connections | server RSS per connection above empty | 4.03 KiB | 2.04 KiB | 2.66 KiB | 1.98x | 1.52x | ≤ 2 KiB | **no** |
|  | most connections held | 19000 | 19900 | 19635 | 0.95x | 0.97x | as many as the cap allows |  |

Ratios are chat's figure divided by the peer's.

| server | asked | held | empty RSS | RSS held | KiB per connection | errors |
| --- | --- | --- | --- | --- | --- | --- |
| chat | 10000 | 10000 | 46800 KiB | 87116 KiB | 4.03 |  |
`;

function idle(perConnKiB: number): IdleResult {
  return {
    kind: "idle",
    emptyRssKiB: 1000,
    points: [{ asked: 10000, held: 10000, rssKiB: 1000, perConnKiB, errors: [] }],
  };
}

/** A ramp passing up to a given asked rate, with deliveries = rate x 499 (the room of 500). */
function ramp(bestRate: number): ReturnType<typeof fanout> {
  return fanout([
    step(1, bestRate / 1.5, { deliveries: (bestRate / 1.5) * 499 }),
    step(2, bestRate, { deliveries: bestRate * 499 }),
    step(3, bestRate * 1.5, { pass: false }),
  ]);
}

describe("the --quick guard", () => {
  test("figures are read as the report writes them", () => {
    expect(parseFigure("5.755 M")).toBeCloseTo(5.755e6);
    expect(parseFigure("4.03 KiB")).toBe(4.03);
    expect(parseFigure(" 51.5 ms ")).toBe(51.5);
    expect(parseFigure("19000")).toBe(19000);
    expect(parseFigure("—")).toBeNull();
    expect(parseFigure("failed: boom")).toBeNull();
  });

  test("the committed ratios come from the summary's chat and InspIRCd figures", () => {
    const r = parseCommittedRatios(SUMMARY);
    expect(r.fanout).toBeCloseTo(5.755 / 1.705, 6);
    expect(r.idle).toBeCloseTo(4.03 / 2.04, 6);
  });

  test("the committed BENCHMARKS.md has both guarded rows", () => {
    const md = readFileSync(join(import.meta.dir, "../../../BENCHMARKS.md"), "utf8");
    const r = parseCommittedRatios(md);
    expect(r.fanout).toBeGreaterThan(0);
    expect(r.idle).toBeGreaterThan(0);
  });

  test("a missing row or a failed figure leaves that measure out, not a wrong ratio", () => {
    const noIdle = SUMMARY.replace(/^\| \(c\).*$/m, "");
    expect(parseCommittedRatios(noIdle).idle).toBeUndefined();
    const failed = SUMMARY.replace(
      "| 5.755 M | 1.705 M | 2.558 M |",
      "| failed: x | 1.705 M | — |",
    );
    expect(parseCommittedRatios(failed).fanout).toBeUndefined();
    expect(parseCommittedRatios("no table here")).toEqual({});
  });

  test("this run's ratios come from the best passing step and the first idle point", () => {
    const r = results({
      fanout: { chat: ramp(6000), inspircd: ramp(2000) },
      idle: { chat: idle(3), inspircd: idle(2) },
    });
    const c = currentRatios(r);
    expect(c.fanout).toBeCloseTo(3, 6);
    expect(c.idle).toBeCloseTo(1.5, 6);
    expect(currentRatios(results({ fanout: { chat: "failed: x" } }))).toEqual({});
  });

  test("more than 10% worse warns; in the good direction or within 10% it does not", () => {
    const committed = { fanout: 3.0, idle: 2.0 };
    const warns = (current: { fanout: number; idle: number }): string[] =>
      guardLines(committed, current)
        .filter((l) => l.warn)
        .map((l) => l.measure.key);
    expect(warns({ fanout: 2.8, idle: 2.15 })).toEqual([]);
    expect(warns({ fanout: 4.0, idle: 1.5 })).toEqual([]);
    expect(warns({ fanout: 2.5, idle: 2.0 })).toEqual(["fanout"]); // 3.0 / 2.5 = 20% worse
    expect(warns({ fanout: 3.0, idle: 2.3 })).toEqual(["idle"]); // more memory is worse
  });

  test("the printed report says WARNING and names the measure when a ratio got worse", () => {
    const bad = guardReport({ fanout: 3, idle: 2 }, { fanout: 2, idle: 2 }, "BENCHMARKS.md");
    expect(bad.at(-1)).toMatch(/^WARNING: 1 ratio\(s\) more than 10% worse .*fanout/);
    expect(bad.some((l) => /WARNING \(a\).*2\.00x now, 3\.00x committed, 50% worse/.test(l))).toBe(
      true,
    );
    const ok = guardReport({ fanout: 3, idle: 2 }, { fanout: 3.1, idle: 2 }, "BENCHMARKS.md");
    expect(ok.some((l) => l.includes("WARNING"))).toBe(false);
    const partial = guardReport({ fanout: 3 }, { fanout: 3 }, "BENCHMARKS.md");
    expect(partial.at(-1)).toMatch(/could not compare every measure/);
  });

  test("a saturated machine during (a) is called out, a quiet one is not", () => {
    const busy = (cores: number) => {
      const f = ramp(3000);
      for (const s of f.steps) s.machineBusyCores = cores;
      return results({ fanout: { chat: f, inspircd: ramp(1000) } });
    };
    expect(fanoutMachineBusy(busy(1.99))).toBeCloseTo(1.99);
    expect(fanoutMachineBusy(results())).toBeUndefined();
    const note = (cores: number): boolean =>
      guardReport({ fanout: 3 }, { fanout: 3 }, "B", {
        busyCores: fanoutMachineBusy(busy(cores)),
        cores: 2,
      }).some((l) => l.includes("saturated"));
    expect(note(1.99)).toBe(true);
    expect(note(1.5)).toBe(false);
  });

  test("--quick alone runs the guard's scenarios and servers; explicit flags still win", () => {
    const q = parseBenchArgs(["--quick"], "/repo");
    expect(q.scenarios).toEqual(["a", "c"]);
    expect(q.kinds).toEqual(["chat", "inspircd"]);
    const b = parseBenchArgs(["--quick", "--scenario", "b", "--servers", "ngircd"], "/repo");
    expect(b.scenarios).toEqual(["b"]);
    expect(b.kinds).toEqual(["ngircd"]);
  });
});
