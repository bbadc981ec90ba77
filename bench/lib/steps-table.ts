/** One fan-out ramp as a Markdown table: a row per step, shared by every section that has one. */
import { m, ms } from "./format.ts";
import { fmtGenerator } from "./generator-check.ts";
import { fmtReasons, type StepResult } from "./scenarios.ts";

export function stepsTable(steps: StepResult[]): string {
  const rows = steps.map(
    (s) =>
      `| ${s.step} | ${Math.round(s.targetMsgsPerSecond)} | ${Math.round(s.sentPerSecond)} | ${m(s.deliveriesPerSecond)} | ${(s.deliveryRatio * 100).toFixed(2)}% | ${ms(s.latency.p50Ms)} | ${ms(s.latency.p90Ms)} | ${ms(s.latency.p99Ms)} | ${ms(s.latency.maxMs)} | ${(s.serverCpu * 100).toFixed(0)}% | ${s.machineBusyCores.toFixed(2)} | ${fmtGenerator(s)} | ${s.disconnected ? `${s.disconnected}: ${fmtReasons(s.dropReasons).replaceAll("|", "/")}` : "0"} | ${s.pass ? "pass" : "**fail**"} |`,
  );
  return [
    "| step | asked msg/s | sent msg/s | deliveries/s | delivered | p50 | p90 | p99 | max | server CPU | machine cores busy (all processes + kernel) | generator per worker (CPU, own event-loop delay) | disconnects | |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
