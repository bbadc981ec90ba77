/**
 * The guard of `npm run bench -- --quick`: chat's ratios to InspIRCd in this run against the
 * same ratios in the last committed BENCHMARKS.md, so a later change cannot lose a gain quietly.
 * Ratios, not absolute figures: both servers run on the same (shared, noisy) machine in one run,
 * so the machine's speed mostly cancels out. Pure functions: the runner reads the file and prints.
 */
import { type Better, WORSE_BY, worseness } from "./compare.ts";
import { isObj } from "./format.ts";
import type { BenchResults } from "./results.ts";
import type { FanoutResult, IdleResult } from "./scenarios.ts";

export type GuardKey = "fanout" | "idle";

export interface GuardMeasure {
  key: GuardKey;
  label: string;
  better: Better;
  /** How the summary table of BENCHMARKS.md names the row: its scenario cell and measure cell. */
  scenarioPrefix: string;
  measurePrefix: string;
}

export const GUARD_MEASURES: readonly GuardMeasure[] = [
  {
    key: "fanout",
    label: "(a) max sustained deliveries/s, chat / InspIRCd",
    better: "higher",
    scenarioPrefix: "(a)",
    measurePrefix: "max sustained deliveries/s",
  },
  {
    key: "idle",
    label: "(c) RSS per idle connection, chat / InspIRCd",
    better: "lower",
    scenarioPrefix: "(c)",
    measurePrefix: "server RSS per connection",
  },
];

export type GuardRatios = Partial<Record<GuardKey, number>>;

/** A figure as the report writes it: "5.755 M" (millions), "4.03 KiB", "51.5 ms", "19000". */
export function parseFigure(cell: string): number | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(M|KiB|ms|µs)?\s*$/.exec(cell);
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  return m[2] === "M" ? n * 1e6 : n;
}

function cells(line: string): string[] {
  // "| a | b |" -> ["a", "b"]; the report escapes no "|" inside the summary's figure cells.
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());
}

/**
 * chat / InspIRCd for each guarded measure, from the summary table of a BENCHMARKS.md. The
 * ratio is computed from the two figures (the table's own ratio column is rounded to 2 digits).
 * A measure whose row or figures are missing is left out, so the caller can say so.
 */
export function parseCommittedRatios(markdown: string): GuardRatios {
  const lines = markdown.split("\n");
  const header = lines.findIndex((l) => /^\|\s*scenario\s*\|\s*measure\s*\|/.test(l));
  if (header < 0) return {};
  const names = cells(lines[header] ?? "");
  const chatCol = names.indexOf("chat");
  const inspCol = names.indexOf("InspIRCd");
  if (chatCol < 0 || inspCol < 0) return {};
  const out: GuardRatios = {};
  // A row with an empty scenario cell continues the scenario above it.
  let scenario = "";
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const c = cells(line);
    if (c[0]) scenario = c[0];
    for (const g of GUARD_MEASURES) {
      if (!scenario.startsWith(g.scenarioPrefix) || !(c[1] ?? "").startsWith(g.measurePrefix)) {
        continue;
      }
      const chat = parseFigure(c[chatCol] ?? "");
      const insp = parseFigure(c[inspCol] ?? "");
      if (chat !== null && insp !== null && insp > 0 && out[g.key] === undefined) {
        out[g.key] = chat / insp;
      }
    }
  }
  return out;
}

/** The same ratios from this run's results (what the summary table would show). */
export function currentRatios(r: BenchResults): GuardRatios {
  const out: GuardRatios = {};
  const best = (v: FanoutResult | string | undefined): number | undefined =>
    isObj<FanoutResult>(v) ? (v.best?.deliveriesPerSecond ?? 0) : undefined;
  const fc = best(r.fanout.chat);
  const fi = best(r.fanout.inspircd);
  if (fc !== undefined && fi !== undefined && fi > 0) out.fanout = fc / fi;
  const idle = (v: IdleResult | string | undefined): number | undefined =>
    isObj<IdleResult>(v) ? v.points[0]?.perConnKiB : undefined;
  const ic = idle(r.idle.chat);
  const ii = idle(r.idle.inspircd);
  if (ic !== undefined && ii !== undefined && ii > 0 && Number.isFinite(ic)) out.idle = ic / ii;
  return out;
}

export interface GuardLine {
  measure: GuardMeasure;
  committed: number | undefined;
  current: number | undefined;
  /** How much worse this run's ratio is than the committed one (0.25 = 25% worse); NaN if unknown. */
  worse: number;
  warn: boolean;
}

export function guardLines(committed: GuardRatios, current: GuardRatios): GuardLine[] {
  return GUARD_MEASURES.map((measure) => {
    const a = committed[measure.key];
    const b = current[measure.key];
    const worse =
      a !== undefined && b !== undefined ? worseness(b / a, measure.better) : Number.NaN;
    return { measure, committed: a, current: b, worse, warn: worse > WORSE_BY };
  });
}

const x = (n: number | undefined): string => (n === undefined ? "—" : `${n.toFixed(2)}x`);

/**
 * The busiest the whole machine was during (a)'s measured steps, in cores (all processes and
 * the kernel), over both servers; undefined when (a) did not run.
 */
export function fanoutMachineBusy(r: BenchResults): number | undefined {
  const busy: number[] = [];
  for (const v of [r.fanout.chat, r.fanout.inspircd]) {
    if (isObj<FanoutResult>(v)) for (const s of v.steps) busy.push(s.machineBusyCores);
  }
  return busy.length ? Math.max(...busy) : undefined;
}

/** What the runner prints: one line per measure, then a verdict that stands out when it warns. */
export function guardReport(
  committed: GuardRatios,
  current: GuardRatios,
  source: string,
  machine?: { busyCores: number | undefined; cores: number },
): string[] {
  const lines = guardLines(committed, current);
  const out = [`guard: chat / InspIRCd in this run against ${source}`];
  // Saturated, every server waits for a core and the ramp measures the wait (bench/findings.md).
  if (machine?.busyCores !== undefined && machine.busyCores >= 0.95 * machine.cores) {
    out.push(
      `  note: the machine was saturated during (a) (${machine.busyCores.toFixed(2)} of ${machine.cores} cores busy, other work included): ` +
        "the fan-out ratio measures the wait for a core more than the servers; rerun when the machine is quieter",
    );
  }
  for (const l of lines) {
    const delta = Number.isNaN(l.worse)
      ? "not compared (missing in one of the two)"
      : l.worse > 0
        ? `${(l.worse * 100).toFixed(0)}% worse`
        : `${(-l.worse * 100).toFixed(0)}% better or equal`;
    out.push(
      `  ${l.warn ? "WARNING " : ""}${l.measure.label}: ${x(l.current)} now, ${x(l.committed)} committed, ${delta}`,
    );
  }
  const warned = lines.filter((l) => l.warn);
  if (warned.length > 0) {
    out.push(
      `WARNING: ${warned.length} ratio(s) more than ${WORSE_BY * 100}% worse than ${source}: ` +
        `${warned.map((l) => l.measure.key).join(", ")}. Rerun to rule out noise (other work on the machine); ` +
        "if it repeats, find the change with --baseline PATH.",
    );
  } else if (lines.every((l) => !Number.isNaN(l.worse))) {
    out.push(`guard: no ratio more than ${WORSE_BY * 100}% worse than ${source}`);
  } else {
    out.push("WARNING: the guard could not compare every measure (see above)");
  }
  return out;
}
