/** Hand-made benchmark results for the report and comparison tests (no server runs). */
import { type BenchResults, emptyResults } from "../../../bench/lib/results.ts";
import type { FanoutResult, StepResult } from "../../../bench/lib/scenarios.ts";

export function step(
  n: number,
  rate: number,
  opts: { deliveries?: number; cpu?: number; p50?: number; p99?: number; pass?: boolean } = {},
): StepResult {
  const deliveries = opts.deliveries ?? rate * 99;
  return {
    step: n,
    targetMsgsPerSecond: rate,
    sent: rate * 2,
    sentPerSecond: rate,
    skipped: 0,
    deliveryRatio: opts.pass === false ? 0.5 : 1,
    deliveriesPerSecond: deliveries,
    latency: { count: deliveries, p50Ms: opts.p50 ?? 2, p90Ms: 4, p99Ms: opts.p99 ?? 8, maxMs: 12 },
    generatorCpu: [0.1, 0.1],
    serverCpu: opts.cpu ?? 0.2,
    machineBusyCores: 0.5,
    disconnected: 0,
    dropReasons: {},
    pass: opts.pass ?? true,
  };
}

export function fanout(steps: StepResult[]): FanoutResult {
  const passing = steps.filter((s) => s.pass);
  const best = passing.reduce<StepResult | null>(
    (b, s) => (!b || s.deliveriesPerSecond > b.deliveriesPerSecond ? s : b),
    null,
  );
  return {
    kind: "fanout",
    mode: "irc",
    clients: 100,
    ready: 100,
    senders: 10,
    ackedCaps: ["server-time"],
    setupErrors: [],
    steps,
    best,
    best100ms: best,
    generatorSaturated: false,
    totalSent: 0,
    warmupSent: 0,
  };
}

export function results(over: Partial<BenchResults> = {}): BenchResults {
  return {
    ...emptyResults({
      startedAt: "2026-12-03T09:00:00.000Z",
      quick: true,
      argv: ["--quick", "--scenario", "a"],
      machine: { nproc: "2", "chat binary": "dist/chat", "chat-baseline binary": "/tmp/old" },
      configs: {},
    }),
    versions: { chat: "0.1.0", "chat-baseline": "0.1.0 (/tmp/old)" },
    ...over,
  };
}
