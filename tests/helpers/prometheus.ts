/**
 * A strict reader of the Prometheus text format, for tests: every sample must
 * belong to a family announced by # HELP and # TYPE, names and labels must be
 * well formed, counters end in _total, histogram buckets are cumulative and
 * end with +Inf equal to _count. Throws naming the first bad line.
 */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function parseValue(raw: string, line: string): number {
  if (raw === "+Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  if (raw === "NaN") return Number.NaN;
  const v = Number(raw);
  if (raw === "" || Number.isNaN(v)) throw new Error(`bad value in: ${line}`);
  return v;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (m === null) throw new Error(`bad labels in: ${line}`);
    out[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
  }
  return out;
}

export function parsePrometheus(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) {
      const [, name = "", ...help] = line.split(" ").slice(1);
      if (!NAME.test(name)) throw new Error(`bad name: ${line}`);
      if (families.has(name)) throw new Error(`family twice: ${name}`);
      current = { name, type: "", help: help.join(" "), samples: [] };
      families.set(name, current);
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const [, , name, type = ""] = line.split(" ");
      if (current === undefined || current.name !== name) {
        throw new Error(`TYPE without HELP first: ${line}`);
      }
      if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(type)) {
        throw new Error(`bad type: ${line}`);
      }
      current.type = type;
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const name = m[1] as string;
    if (current === undefined) throw new Error(`sample before any family: ${line}`);
    const base = current.type === "histogram" ? name.replace(/_(bucket|sum|count)$/, "") : name;
    if (base !== current.name) throw new Error(`sample ${name} outside its family ${current.name}`);
    current.samples.push({
      name,
      labels: parseLabels(m[3] ?? "", line),
      value: parseValue(m[4] as string, line),
    });
  }
  for (const f of families.values()) {
    if (f.type === "counter" && !f.name.endsWith("_total"))
      throw new Error(`counter without _total: ${f.name}`);
    if (f.type !== "counter" && f.name.endsWith("_total"))
      throw new Error(`_total on a ${f.type}: ${f.name}`);
    if (f.type === "histogram") checkHistogram(f);
  }
  return families;
}

function checkHistogram(f: ParsedFamily): void {
  const buckets = f.samples.filter((s) => s.name.endsWith("_bucket"));
  let last = -1;
  let lastLe = Number.NEGATIVE_INFINITY;
  for (const b of buckets) {
    const le = parseValue(b.labels.le ?? "", `${f.name} le`);
    if (le <= lastLe || b.value < last) throw new Error(`${f.name}: buckets not cumulative`);
    last = b.value;
    lastLe = le;
  }
  const count = f.samples.find((s) => s.name === `${f.name}_count`)?.value;
  if (lastLe !== Number.POSITIVE_INFINITY || count !== last) {
    throw new Error(`${f.name}: the +Inf bucket must equal _count`);
  }
}

/** The value of the sample of `name` whose labels include `labels`. */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
