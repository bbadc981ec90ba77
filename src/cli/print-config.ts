/**
 * `chat serve --print-config`: the effective settings as a TOML file (the same
 * keys --config reads), each line saying where its value came from, with
 * secrets masked so the output can be pasted into a bug report.
 */
import { adminSocketPath } from "../admin/paths.ts";
import { DEFAULT_LIMITS } from "../core/limits.ts";
import { defaultDbPath } from "../store/open.ts";
import { COMMAND_LINE_ONLY } from "./config-file.ts";
import { envName, type LoadedConfig } from "./load-config.ts";
import type { FlagSpec } from "./options.ts";
import { defaultServerName, type ServeConfig } from "./serve-config.ts";

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

/**
 * Settings whose default is worked out at start (from HOME, the host name,
 * --db, --quiet): the value in effect and how it was found. Printed commented
 * out, so the printed file keeps following them rather than pinning them.
 */
export type DerivedDefaults = Record<string, { value: string | number; why?: string }>;

export function formatConfig(
  loaded: LoadedConfig,
  spec: FlagSpec,
  derived: DerivedDefaults = {},
): string {
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
      const d = derived[flag];
      if (d === undefined) {
        out.push(`# ${flag} = ${flag === "metrics" ? "(off)" : "(not set)"}`);
      } else {
        const shown = typeof d.value === "number" ? String(d.value) : JSON.stringify(d.value);
        out.push(`# ${flag} = ${shown}  # default${d.why ? ` (${d.why})` : ""}`);
      }
      continue;
    }
    out.push(`${flag} = ${tomlValue(flag, value)}  # ${where(flag)}`);
  }
  return `${out.join("\n")}\n`;
}

/** What `chat serve` would use for each setting left to a default worked out at start. */
export function derivedDefaults(
  config: ServeConfig,
  hostname: string,
  env: Record<string, string | undefined>,
): DerivedDefaults {
  const out: DerivedDefaults = {
    "max-per-ip": { value: DEFAULT_LIMITS.maxConnectionsPerIp },
    "max-clients": { value: DEFAULT_LIMITS.maxConnections },
    "log-level": { value: config.logLevel, ...(config.quiet ? { why: "--quiet" } : {}) },
    name: { value: defaultServerName(hostname), why: "this host's name" },
  };
  if (config.db === undefined) out.db = { value: defaultDbPath(env) };
  const socket = config.adminSocket ?? adminSocketPath(config.db ?? defaultDbPath(env));
  if (socket !== undefined) out["admin-socket"] = { value: socket };
  return out;
}
