/**
 * The Prometheus text exposition format (version 0.0.4), written by hand:
 * families of samples in, one text out. Pure. We do not use prom-client: its
 * registry is process-global by default, its counters take label objects per
 * increment, and several of its default process metrics read wrong under Bun
 * (active handles 0, heap bytes = virtual size); our counters are plain
 * numbers read at scrape time, so all we need is this renderer.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export type Family =
  | { name: string; help: string; type: "counter" | "gauge"; samples: readonly Sample[] }
  | {
      name: string;
      help: string;
      type: "histogram";
      /** Upper bounds, ascending, without +Inf. */
      bounds: readonly number[];
      /** Observations per bucket (not cumulative), one more than `bounds` (the +Inf bucket). */
      counts: ArrayLike<number>;
      sum: number;
      count: number;
    };

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A number as Prometheus writes it: +Inf, -Inf, NaN, or the shortest decimal. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra !== undefined) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

export function render(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type !== "histogram") {
      for (const s of f.samples)
        out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
      continue;
    }
    let cumulative = 0;
    for (let i = 0; i <= f.bounds.length; i++) {
      cumulative += f.counts[i] ?? 0;
      const le = i < f.bounds.length ? formatValue(f.bounds[i] as number) : "+Inf";
      out.push(`${f.name}_bucket${labelText(undefined, ["le", le])} ${cumulative}`);
    }
    out.push(`${f.name}_sum ${formatValue(f.sum)}`, `${f.name}_count ${f.count}`);
  }
  return `${out.join("\n")}\n`;
}
