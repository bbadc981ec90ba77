/**
 * `chat serve --config FILE`: a TOML file whose keys are the flag names
 * (`port = 6667`, `tls-cert = "..."`, `oper = ["alice:pw"]`). Keys come from
 * the flag table, so a flag added later gets a key without touching this file.
 * Pure: the caller reads the file; every mistake names the file, line and key.
 */
import type { FlagSpec, RawArgs } from "./options.ts";
import { UsageError } from "./usage-error.ts";

/** Flags that steer the command line itself and make no sense inside the file. */
export const COMMAND_LINE_ONLY: ReadonlySet<string> = new Set(["config", "print-config"]);

/** Flags that may be given more than once (an array in the file). */
export const REPEATABLE: ReadonlySet<string> = new Set(["oper", "web-origin"]);

export interface ConfigFile {
  path: string;
  /** Values in the form citty hands flags over (strings, booleans, string arrays). */
  args: RawArgs;
  /** The line each key is on, for messages about values checked later. */
  lines: Record<string, number>;
}

/**
 * The 1-based line where top-level `key` is first given, found by scanning
 * (TOML parsers give no positions): `key = v`, a dotted `key.sub = v`, or a
 * table header `[key]` / `[[key]]` / `[key.sub]`.
 */
export function lineOf(text: string, key: string): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  const name = `(?:${escaped}|"${escaped}"|'${escaped}')`;
  const re = new RegExp(`^\\s*(?:${name}\\s*[=.]|\\[\\[?\\s*${name}\\s*[\\].])`);
  const i = text.split(/\r?\n/).findIndex((l) => re.test(l));
  return i === -1 ? 1 : i + 1;
}

/**
 * The line a TOML syntax error is on: one past the longest prefix of whole
 * lines that parses. (The parser's own line number is not reliable.) Config
 * files are short, so parsing each prefix costs nothing that matters.
 */
function syntaxErrorLine(text: string): number {
  const lines = text.split(/\r?\n/);
  for (let n = lines.length - 1; n >= 0; n--) {
    try {
      Bun.TOML.parse(lines.slice(0, n).join("\n"));
      return n + 1;
    } catch {
      // this prefix still holds the error; try a shorter one
    }
  }
  return 1;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v !== null && typeof v === "object") return "a table";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** One value as a flag value, or the reason it cannot be one. */
function toFlagValue(
  key: string,
  type: string,
  v: unknown,
): { ok: string | boolean | string[] } | { bad: string } {
  if (type === "boolean") {
    return typeof v === "boolean"
      ? { ok: v }
      : { bad: `must be true or false, not ${describe(v)}` };
  }
  const one = (x: unknown): string | undefined => {
    if (typeof x === "string") return x;
    if (typeof x === "number" && Number.isSafeInteger(x)) return String(x);
    return undefined;
  };
  if (REPEATABLE.has(key) && Array.isArray(v)) {
    if (!v.every((x) => typeof x === "string")) return { bad: "must be a list of strings" };
    return { ok: v as string[] };
  }
  const s = one(v);
  if (s === undefined) {
    const what = REPEATABLE.has(key) ? "a string or a list of strings" : "a string or whole number";
    return { bad: `must be ${what}, not ${describe(v)}` };
  }
  return { ok: s };
}

/** Parse and check a config file against the flag table. Throws UsageError (exit 2). */
export function parseConfigFile(text: string, path: string, spec: FlagSpec): ConfigFile {
  let doc: Record<string, unknown>;
  try {
    doc = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).replace(
      /^TOML Parse error: /,
      "",
    );
    throw new UsageError(`${path}:${syntaxErrorLine(text)}: not valid TOML: ${msg}`);
  }
  const args: RawArgs = {};
  const lines: Record<string, number> = {};
  const known = Object.keys(spec).filter(
    (k) => spec[k]?.type !== "positional" && !COMMAND_LINE_ONLY.has(k),
  );
  for (const [key, value] of Object.entries(doc)) {
    const line = lineOf(text, key);
    const def = spec[key];
    if (def === undefined || def.type === "positional" || COMMAND_LINE_ONLY.has(key)) {
      const near = known.find(
        (k) => k.replaceAll("-", "_") === key || k === key.replaceAll("_", "-"),
      );
      throw new UsageError(
        `${path}:${line}: unknown key ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; keys are the flag names: ${known.join(", ")}`,
      );
    }
    const r = toFlagValue(key, def.type, value);
    if ("bad" in r) throw new UsageError(`${path}:${line}: ${key} ${r.bad}`);
    args[key] = r.ok;
    lines[key] = line;
  }
  return { path, args, lines };
}
