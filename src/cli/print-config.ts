/**
 * `chat serve --print-config`: the effective settings as a TOML file (the same
 * keys --config reads), each line saying where its value came from, with
 * secrets masked so the output can be pasted into a bug report.
 */
import { COMMAND_LINE_ONLY } from "./config-file.ts";
import { envName, type LoadedConfig } from "./load-config.ts";
import type { FlagSpec } from "./options.ts";

/** Keys whose values are secrets; any key naming a password, secret or token is one too. */
const SECRET_KEYS: ReadonlySet<string> = new Set(["password"]);
const SECRET_NAME = /password|secret|token/;
export const MASK = "********";

function mask(key: string, value: string): string {
  // An operator login is NAME:PASSWORD; the name helps, the password must not show.
  if (key === "oper") return `${value.slice(0, value.indexOf(":"))}:${MASK}`;
  // A Redis URL may carry user:password@; the address helps, the password must not show.
  if (key === "redis") return value.replace(/\/\/([^:@/]*):[^@/]*@/, `//$1:${MASK}@`);
  if (SECRET_KEYS.has(key) || SECRET_NAME.test(key)) return MASK;
  return value;
}

function tomlValue(key: string, v: string | boolean | string[]): string {
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((s) => JSON.stringify(mask(key, s))).join(", ")}]`;
  const shown = mask(key, v);
  return /^\d{1,15}$/.test(shown) ? shown : JSON.stringify(shown);
}

export function formatConfig(loaded: LoadedConfig, spec: FlagSpec): string {
  const where = (flag: string): string => {
    const s = loaded.sources[flag];
    if (s === "file" && loaded.file) return `${loaded.file.path}:${loaded.file.lines[flag] ?? 1}`;
    if (s === "env") return envName(flag);
    return s ?? "default";
  };
  const out = ["# chat serve: effective configuration (flag > CHAT_* > config file > default)"];
  for (const [flag, def] of Object.entries(spec)) {
    if (def.type === "positional" || COMMAND_LINE_ONLY.has(flag)) continue;
    const given = loaded.args[flag];
    const fallback = (def as { default?: unknown }).default;
    const value =
      given !== undefined
        ? given
        : typeof fallback === "string" || typeof fallback === "boolean"
          ? fallback
          : def.type === "boolean"
            ? false
            : undefined;
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      out.push(`# ${flag} = (not set)`);
      continue;
    }
    out.push(`${flag} = ${tomlValue(flag, value)}  # ${where(flag)}`);
  }
  return `${out.join("\n")}\n`;
}
