/**
 * chat against an older build of itself (--baseline), from one run's results: the same measures
 * for "chat" and "chat-baseline", one value per round, and the ratio chat / chat-baseline. Pure
 * functions over BenchResults, so the report and the console verdict read the same numbers.
 */
import { isObj, kib, m, ms, us } from "./format.ts";
import type { BenchResults, FanoutRound } from "./results.ts";
import type { RoomsResult } from "./rooms.ts";
import type { FanoutResult, IdleResult, StartupResult, StepResult } from "./scenarios.ts";
import { median } from "./stats.ts";

/** A ratio more than this much worse than 1 (or than the reference) is called out. */
export const WORSE_BY = 0.1;

export type Better = "higher" | "lower";
export type Unit = "deliveries" | "ms" | "us" | "kib";

export const FORMAT: Record<Unit, (n: number | undefined) => string> = {
  deliveries: m,
  ms,
  us,
  kib,
};

/** One measure of chat and chat-baseline; chat[i] and baseline[i] come from the same round. */
export interface PairedMeasure {
  scenario: string;
  measure: string;
  unit: Unit;
  better: Better;
  /** Latency percentiles move a lot between runs on a shared machine: shown, not judged. */
  judged: boolean;
  chat: number[];
  baseline: number[];
  /** A figure is only a lower bound: that ramp ended at its last step without failing. */
  lowerBound: boolean;
}

/** How much worse `r` is than 1 in the measure's direction (positive = worse, 0.1 = 10%). */
export function worseness(r: number, better: Better): number {
  if (!Number.isFinite(r) || r <= 0) return Number.NaN;
  return better === "higher" ? 1 / r - 1 : r - 1;
}

export function ratios(p: PairedMeasure): number[] {
  return p.chat.map((c, i) => c / (p.baseline[i] ?? Number.NaN)).filter(Number.isFinite);
}

export function medianRatio(p: PairedMeasure): number {
  return median(ratios(p));
}

export function isWorse(p: PairedMeasure): boolean {
  return p.judged && worseness(medianRatio(p), p.better) > WORSE_BY;
}

/** Steps both ramps ran at the same asked rate and both passed, in ramp order. */
export function commonPassingSteps(
  chat: FanoutResult,
  baseline: FanoutResult,
): Array<[StepResult, StepResult]> {
  const byStep = new Map(baseline.steps.map((s) => [s.step, s]));
  const out: Array<[StepResult, StepResult]> = [];
  for (const s of chat.steps) {
    const t = byStep.get(s.step);
    if (t && s.pass && t.pass && s.targetMsgsPerSecond === t.targetMsgsPerSecond) out.push([s, t]);
  }
  return out;
}

/**
 * Server CPU time per delivery over the given steps (all the same length): the finer measure of
 * the two, since the sustained rate moves in x1.5 steps and a quick ramp may never fail.
 */
export function cpuPerDeliveryUs(steps: readonly StepResult[]): number {
  const deliveries = steps.reduce((a, s) => a + s.deliveriesPerSecond, 0);
  const cpu = steps.reduce((a, s) => a + s.serverCpu, 0);
  return deliveries > 0 ? (cpu / deliveries) * 1e6 : Number.NaN;
}

function bothFanouts(round: FanoutRound): [FanoutResult, FanoutResult] | null {
  const a = round.chat;
  const b = round["chat-baseline"];
  return isObj<FanoutResult>(a) && isObj<FanoutResult>(b) ? [a, b] : null;
}

function fanoutMeasures(rounds: readonly FanoutRound[]): PairedMeasure[] {
  const pairs = rounds.map(bothFanouts).filter((p) => p !== null);
  if (pairs.length === 0) return [];
  const sc = "(a) fan-out, 1 room, 10 senders";
  const unbounded = pairs.some(
    ([a, b]) => a.steps.every((s) => s.pass) || b.steps.every((s) => s.pass),
  );
  const measure = (
    measure: string,
    unit: Unit,
    better: Better,
    judged: boolean,
    get: (f: FanoutResult, common: StepResult[]) => number,
    lowerBound = false,
  ): PairedMeasure => ({
    scenario: sc,
    measure,
    unit,
    better,
    judged,
    lowerBound,
    chat: pairs.map(([a, b]) =>
      get(
        a,
        commonPassingSteps(a, b).map(([s]) => s),
      ),
    ),
    baseline: pairs.map(([a, b]) =>
      get(
        b,
        commonPassingSteps(a, b).map(([, t]) => t),
      ),
    ),
  });
  const top = (steps: StepResult[]): StepResult | undefined => steps[steps.length - 1];
  return [
    measure(
      "max sustained deliveries/s (≥99% delivered, p99 ≤ 1 s)",
      "deliveries",
      "higher",
      true,
      (f) => f.best?.deliveriesPerSecond ?? 0,
      unbounded,
    ),
    measure(
      "max deliveries/s with p99 ≤ 100 ms",
      "deliveries",
      "higher",
      true,
      (f) => f.best100ms?.deliveriesPerSecond ?? 0,
      unbounded,
    ),
    measure(
      "server CPU per delivery, over the steps both passed",
      "us",
      "lower",
      true,
      (_f, common) => cpuPerDeliveryUs(common),
    ),
    measure(
      "p50 at the highest rate both passed",
      "ms",
      "lower",
      false,
      (_f, common) => top(common)?.latency.p50Ms ?? Number.NaN,
    ),
    measure(
      "p99 at the highest rate both passed",
      "ms",
      "lower",
      false,
      (_f, common) => top(common)?.latency.p99Ms ?? Number.NaN,
    ),
  ];
}

function single<T>(
  results: Partial<Record<"chat" | "chat-baseline", T | string>>,
  get: (v: T) => number | undefined,
): [number[], number[]] | null {
  const a = results.chat;
  const b = results["chat-baseline"];
  if (!isObj<T>(a) || !isObj<T>(b)) return null;
  const x = get(a);
  const y = get(b);
  return x === undefined || y === undefined ? null : [[x], [y]];
}

/** Every measure both builds produced in this run, (a) first. */
export function pairedMeasures(r: BenchResults): PairedMeasure[] {
  const out = fanoutMeasures(r.fanoutRounds?.length ? r.fanoutRounds : [r.fanout]);
  const add = (
    scenario: string,
    measure: string,
    unit: Unit,
    better: Better,
    judged: boolean,
    pair: [number[], number[]] | null,
  ): void => {
    if (pair) {
      out.push({
        scenario,
        measure,
        unit,
        better,
        judged,
        lowerBound: false,
        chat: pair[0],
        baseline: pair[1],
      });
    }
  };
  add(
    "(d) plain-text fan-out",
    "max sustained deliveries/s",
    "deliveries",
    "higher",
    true,
    single<FanoutResult>(r.plain, (f) => f.best?.deliveriesPerSecond ?? 0),
  );
  add(
    "(b) many rooms of 10",
    "p99 latency",
    "ms",
    "lower",
    false,
    single<RoomsResult>(r.rooms, (x) => x.step?.latency.p99Ms),
  );
  // (b)'s larger sizes (2,000 rooms of 10), when they ran.
  for (const run of (r.roomsRuns ?? []).slice(1)) {
    add(
      `(b) ${run.shape.rooms} rooms of ${run.shape.members}`,
      "p99 latency",
      "ms",
      "lower",
      false,
      single<RoomsResult>(run.servers, (x) => x.step?.latency.p99Ms),
    );
  }
  add(
    "(c) idle registered connections",
    "server RSS per connection above empty",
    "kib",
    "lower",
    true,
    single<IdleResult>(r.idle, (x) => x.points[0]?.perConnKiB),
  );
  add(
    "(f) start-up",
    "spawn to first accepted connection (median)",
    "ms",
    "lower",
    true,
    single<StartupResult>(r.startup, (x) => x.medianMs),
  );
  return out;
}

function fmtRatio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}x` : "—";
}

/** "1.00x" for one round, "1.01x (0.98x, 1.01x, 1.05x)" for several: the median first. */
export function ratioCell(p: PairedMeasure): string {
  const rs = ratios(p);
  const med = fmtRatio(median(rs));
  return rs.length > 1 ? `${med} (${rs.map(fmtRatio).join(", ")})` : med;
}

export function valuesCell(values: readonly number[], p: PairedMeasure): string {
  const f = FORMAT[p.unit];
  return `${p.lowerBound ? "≥ " : ""}${values.map((v) => f(v)).join(", ")}`;
}

/** The comparison section of the report; empty when the run had no baseline. */
export function baselineSection(r: BenchResults): string[] {
  const measures = pairedMeasures(r);
  if (measures.length === 0) return [];
  const rounds = (r.fanoutRounds ?? []).filter((x) => bothFanouts(x) !== null).length;
  const out: string[] = [
    "## chat against the baseline build",
    "",
    `chat: ${r.versions.chat ?? "?"} (${r.machine["chat binary"] ?? "dist/chat"}); chat-baseline: ${r.versions["chat-baseline"] ?? r.machine["chat-baseline binary"] ?? "?"}. ` +
      "Same workload, same settings, same machine, in this one run: in each scenario chat-baseline ran right before chat" +
      (rounds > 1 ? `, and (a) ran ${rounds} rounds with the order flipped each round` : "") +
      ". The ratio is chat / chat-baseline (the median over rounds first, then each round): above 1x is better for throughput, below 1x is better for CPU, latency and memory. " +
      "The sustained rate moves in x1.5 steps of the ramp, so two equal builds show 1.00x or a full step apart; server CPU per delivery at the same asked rates is the finer measure. " +
      `Marked: a judged measure more than ${WORSE_BY * 100}% worse than the baseline. Latency percentiles are shown, not judged (they move a lot between runs on a shared machine).`,
    "",
    "| scenario | measure | chat | chat-baseline | chat / chat-baseline | |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const p of measures) {
    const mark = !p.judged
      ? "not judged"
      : isWorse(p)
        ? `**more than ${WORSE_BY * 100}% worse**`
        : "ok";
    out.push(
      `| ${p.scenario} | ${p.measure} | ${valuesCell(p.chat, p)} | ${valuesCell(p.baseline, p)} | ${ratioCell(p)} | ${mark} |`,
    );
  }
  if (measures.some((p) => p.lowerBound)) {
    out.push("");
    out.push(
      "≥: a ramp ended at its last step without failing, so its sustained rate is a lower bound and the ratio says nothing about the limit (use the CPU row, or a run without --quick).",
    );
  }
  out.push("");
  return out;
}

/** Console lines for the end of a run: the judged ratios and a clear warning when one is worse. */
export function baselineVerdict(r: BenchResults): string[] {
  const measures = pairedMeasures(r);
  if (measures.length === 0) return [];
  const lines = measures
    .filter((p) => p.judged)
    .map((p) => `chat / chat-baseline ${p.scenario}, ${p.measure}: ${ratioCell(p)}`);
  const worse = measures.filter(isWorse);
  if (worse.length === 0) {
    lines.push(
      `chat is not more than ${WORSE_BY * 100}% worse than chat-baseline on any judged measure`,
    );
  } else {
    for (const p of worse) {
      lines.push(
        `WARNING: chat is more than ${WORSE_BY * 100}% worse than chat-baseline: ${p.scenario}, ${p.measure} at ${fmtRatio(medianRatio(p))}`,
      );
    }
  }
  return lines;
}
