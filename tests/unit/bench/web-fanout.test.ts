import { describe, expect, test } from "bun:test";
import { renderReport } from "../../../bench/lib/report.ts";
import { webShare, webSummaryRows } from "../../../bench/lib/web-fanout.ts";
import { fanout, results, step } from "./fixtures.ts";

// TCP passes 1000, 1150 and 1322 msg/s; the main-port WebSocket only 1000 and 1150, at twice
// TCP's CPU per delivery at 1150; --web-port all three at 1.1x.
const tcp = fanout([
  step(1, 1000, { deliveries: 1e6, cpu: 0.2 }),
  step(2, 1150, { deliveries: 1.15e6, cpu: 0.25 }),
  step(3, 1322, { deliveries: 1.322e6, cpu: 0.3 }),
  step(4, 1520, { pass: false }),
]);
const ws = fanout([
  step(1, 1000, { deliveries: 1e6, cpu: 0.4 }),
  step(2, 1150, { deliveries: 1.15e6, cpu: 0.5 }),
  step(3, 1322, { pass: false }),
]);
const wsPort = fanout([
  step(1, 1000, { deliveries: 1e6, cpu: 0.22 }),
  step(2, 1150, { deliveries: 1.15e6, cpu: 0.275 }),
  step(3, 1322, { deliveries: 1.322e6, cpu: 0.33 }),
  step(4, 1520, { pass: false }),
]);

describe("(j) WebSocket fan-out beside TCP in the report", () => {
  test("a share of TCP's deliveries/s, and CPU per delivery at the highest rung both passed", () => {
    const r = { tcp, ws, "ws-port": wsPort };
    const s = webShare(r, "ws");
    expect(s?.share).toBeCloseTo(1.15 / 1.322, 5);
    expect(s?.cpuRatio).toBeCloseTo(2, 5);
    expect(s?.commonDeliveriesPerSecond).toBe(1.15e6);
    expect(webShare(r, "ws-port")?.share).toBeCloseTo(1, 5);
    expect(webShare(r, "ws-port")?.cpuRatio).toBeCloseTo(1.1, 5);
  });

  test("the summary says which WebSocket ramp met the target and which did not", () => {
    const rows = webSummaryRows({
      tcp,
      ws: fanout([step(1, 1000, { deliveries: 0.7e6 })]),
      "ws-port": wsPort,
    });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("(53%)");
    expect(rows[0]).toContain("| **no** |");
    expect(rows[1]).toContain("(100%)");
    expect(rows[1]).toMatch(/\| yes \|$/);
  });

  test("BENCHMARKS.md gets the section and its rows; a failed ramp shows why", () => {
    const md = renderReport(
      results({ web: { tcp, ws: "failed: server did not start", "ws-port": wsPort } }),
    );
    expect(md).toContain("## (j) WebSocket fan-out beside TCP");
    expect(md).toContain("| WebSocket, main port (piped) | failed: server did not start |");
    expect(md).toContain("| WebSocket, `--web-port` | 1.322 M | 8.0 ms | 100% |");
    expect(md).toContain("1.10x (at 1.322 M)");
    expect(renderReport(results())).not.toContain("## (j)");
  });
});
