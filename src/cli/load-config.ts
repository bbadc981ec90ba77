/**
 * The effective `chat serve` settings from three sources, in order of
 * precedence: flags given on the command line > CHAT_* environment variables >
 * the --config file > the flag table's defaults. Every flag has an environment
 * variable (CHAT_ + its name in capitals, '-' as '_') and a file key (its name),
 * both derived from the flag table. The same load runs again on SIGHUP.
 */
import { COMMAND_LINE_ONLY, type ConfigFile, parseConfigFile, REPEATABLE } from "./config-file.ts";
import { collectRepeated, type FlagSpec, lastString, type RawArgs } from "./options.ts";
import { type ServeConfig, toServeConfig } from "./serve-config.ts";
import { UsageError } from "./usage-error.ts";

export type Source = "flag" | "env" | "file" | "default";

export interface ConfigInput {
  /** The words after `chat serve`. */
  rawArgs: readonly string[];
  /** citty's parse of them (defaults filled in; only the flags in rawArgs are used). */
  parsed: RawArgs;
  env: Record<string, string | undefined>;
  /** Read the --config file (injected so the loader stays testable without files). */
  readFile: (path: string) => string;
}

export interface LoadedConfig {
  config: ServeConfig;
  /** The merged flag values, before defaults. */
  args: RawArgs;
  sources: Record<string, Source>;
  file?: ConfigFile;
}

export function envName(flag: string): string {
  return `CHAT_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** The flag names written out in rawArgs (`--x`, `--x=v`, `--no-x`). */
export function explicitFlags(rawArgs: readonly string[], spec: FlagSpec): Set<string> {
  const given = new Set<string>();
  for (const arg of rawArgs) {
    if (arg === "--") break;
    if (!arg.startsWith("--")) continue;
    const name = arg.slice(2).split("=")[0] ?? "";
    if (spec[name] !== undefined) given.add(name);
    else if (name.startsWith("no-") && spec[name.slice(3)] !== undefined) given.add(name.slice(3));
  }
  return given;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

function fromEnv(spec: FlagSpec, env: Record<string, string | undefined>): RawArgs {
  const out: RawArgs = {};
  for (const [flag, def] of Object.entries(spec)) {
    if (def.type === "positional" || (COMMAND_LINE_ONLY.has(flag) && flag !== "config")) continue;
    const name = envName(flag);
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    if (def.type === "boolean") {
      const v = raw.trim().toLowerCase();
      if (!TRUE.has(v) && !FALSE.has(v)) {
        throw new UsageError(`${name} must be true or false (or 1/0), not ${JSON.stringify(raw)}`);
      }
      out[flag] = TRUE.has(v);
    } else if (REPEATABLE.has(flag)) {
      out[flag] = raw.split(/\s+/).filter((s) => s !== "");
    } else {
      out[flag] = raw;
    }
  }
  return out;
}

/** Point a flag's message at where the bad value came from: the file's line, or the variable. */
function locate(err: UsageError, loaded: Omit<LoadedConfig, "config">): UsageError {
  const named = [...err.message.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? "");
  const first = named.find((f) => loaded.sources[f] === "file" || loaded.sources[f] === "env");
  if (first === undefined) return err;
  if (loaded.sources[first] === "env")
    return new UsageError(`from ${envName(first)}: ${err.message}`);
  // In a message about the file, the keys are written as in the file.
  let msg = err.message;
  for (const f of named) msg = msg.replaceAll(`--${f}`, f);
  const line = loaded.file?.lines[first] ?? 1;
  return new UsageError(`${loaded.file?.path ?? "config file"}:${line}: ${msg}`);
}

/** Merge the sources and check the result; throws UsageError naming the source of a bad value. */
export function loadServeConfig(input: ConfigInput, spec: FlagSpec): LoadedConfig {
  const given = explicitFlags(input.rawArgs, spec);
  const flags: RawArgs = {};
  for (const flag of given) {
    flags[flag] = REPEATABLE.has(flag) ? collectRepeated(input.rawArgs, flag) : input.parsed[flag];
  }
  const env = fromEnv(spec, input.env);
  const path = lastString(flags.config) ?? lastString(env.config);
  let file: ConfigFile | undefined;
  if (path !== undefined) {
    let text: string;
    try {
      text = input.readFile(path);
    } catch (err) {
      const why = (err as { code?: string }).code === "ENOENT" ? "no such file" : String(err);
      throw new UsageError(`cannot read config file ${path}: ${why}`);
    }
    file = parseConfigFile(text, path, spec);
  }
  const args: RawArgs = {};
  const sources: Record<string, Source> = {};
  for (const flag of Object.keys(spec)) {
    const layers: [Source, RawArgs][] = [
      ["flag", flags],
      ["env", env],
      ["file", file?.args ?? {}],
    ];
    const hit = layers.find(([, a]) => a[flag] !== undefined);
    if (hit) {
      args[flag] = hit[1][flag];
      sources[flag] = hit[0];
    } else {
      sources[flag] = "default";
    }
  }
  const partial = { args, sources, ...(file ? { file } : {}) };
  try {
    // CHAT_PASSWORD is already merged above; pass no env so nothing is read twice.
    return { config: toServeConfig(args, {}), ...partial };
  } catch (err) {
    if (err instanceof UsageError) throw locate(err, partial);
    throw err;
  }
}
