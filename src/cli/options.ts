/**
 * Turning raw CLI strings into checked, typed options. Pure: no I/O, so every
 * rule about flags is unit-tested without spawning a process.
 */
import { UsageError } from "./usage-error.ts";

/** Flag values as citty hands them over: a repeated flag may arrive as an array. */
export type RawArgs = Record<string, string | string[] | boolean | undefined>;

/** The value of a string flag given once or more (the last one wins, as in most tools). */
export function lastString(v: string | string[] | boolean | undefined): string | undefined {
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === "string" ? v : undefined;
}

export const DEFAULT_PORT = 6667;
export const DEFAULT_HISTORY = 10_000;

export function parsePort(raw: string, flag = "--port"): number {
  if (!/^\d{1,5}$/.test(raw.trim())) {
    throw new UsageError(`${flag} must be a number from 0 to 65535, not ${JSON.stringify(raw)}`);
  }
  const port = Number(raw.trim());
  if (port > 65535) throw new UsageError(`${flag} must be a number from 0 to 65535, not ${raw}`);
  return port;
}

export function parsePositiveInt(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(
      `${flag} must be a whole number of at least 1, not ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

export interface HostPort {
  host: string;
  port: number;
}

const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$/;

function checkHost(host: string, raw: string, v6: boolean): string {
  if (host === "") throw new UsageError(`bad address ${JSON.stringify(raw)}: empty host`);
  if (!(v6 ? IPV6 : HOSTNAME).test(host)) {
    throw new UsageError(
      `bad address ${JSON.stringify(raw)}: use HOST[:PORT], e.g. 192.168.1.20:6667, chat.example.org or [::1]:6667`,
    );
  }
  return host;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address. */
export function parseHostPort(raw: string, defaultPort = DEFAULT_PORT): HostPort {
  const s = raw.trim();
  if (s === "")
    throw new UsageError("missing HOST[:PORT], for example: chat join 192.168.1.20:6667");
  if (/[\s/@]/.test(s)) checkHost(s, raw, false); // a URL or user@host: explain the form
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close === -1) throw new UsageError(`bad address ${JSON.stringify(raw)}: missing "]"`);
    const host = checkHost(s.slice(1, close), raw, true);
    const rest = s.slice(close + 1);
    if (rest === "") return { host, port: defaultPort };
    if (!rest.startsWith(":")) throw new UsageError(`bad address ${JSON.stringify(raw)}`);
    return { host, port: checkJoinPort(rest.slice(1), raw) };
  }
  const colons = s.split(":").length - 1;
  if (colons > 1) return { host: checkHost(s, raw, true), port: defaultPort }; // bare IPv6
  if (colons === 1) {
    const [host = "", port = ""] = s.split(":");
    return { host: checkHost(host, raw, false), port: checkJoinPort(port, raw) };
  }
  return { host: checkHost(s, raw, false), port: defaultPort };
}

function checkJoinPort(port: string, raw: string): number {
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new UsageError(`bad port in ${JSON.stringify(raw)}: use a number from 1 to 65535`);
  }
  return Number(port);
}

/** A bare room name is a channel: `dev` -> `#dev`. */
export function roomToChannel(room: string): string {
  const r = room.trim();
  if (r === "") throw new UsageError("--room must not be empty");
  if (/[\s,\x00-\x1f]/.test(r))
    throw new UsageError(`--room ${JSON.stringify(room)} has a space, comma or control character`);
  return /^[#&]/.test(r) ? r : `#${r}`;
}

export interface OperCredential {
  name: string;
  password: string;
}

export function parseOper(raw: string): OperCredential {
  const i = raw.indexOf(":");
  if (i <= 0 || i === raw.length - 1) {
    throw new UsageError("--oper must look like NAME:PASSWORD");
  }
  return { name: raw.slice(0, i), password: raw.slice(i + 1) };
}

export function parseFingerprint(raw: string): string {
  const m = /^(?:sha256:)?([0-9a-f]{2}(?::?[0-9a-f]{2}){31})$/i.exec(raw.trim());
  if (!m?.[1]) throw new UsageError("--fp must look like SHA256:<64 hex digits>");
  return m[1].replaceAll(":", "").toLowerCase();
}

/** What `checkRawArgs` needs to know about a command's flags (a citty ArgsDef fits). */
export type FlagSpec = Readonly<Record<string, { readonly type: string }>>;

/**
 * citty silently ignores undeclared flags and extra words; we refuse them so a
 * typo never runs a server with a setting the user did not ask for.
 * Returns the problem as one line, or undefined when the arguments are fine.
 */
export function checkRawArgs(rawArgs: readonly string[], spec: FlagSpec): string | undefined {
  const positionals = Object.values(spec).filter((a) => a.type === "positional").length;
  let seen = 0;
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") {
      seen++;
      if (seen > positionals) return `unexpected argument ${JSON.stringify(arg)}`;
      continue;
    }
    const [name = "", inlineValue] = arg.replace(/^--?/, "").split(/=(.*)/s);
    const bare = name.startsWith("no-") ? name.slice(3) : name;
    const def = spec[name] ?? spec[bare];
    if (def === undefined || def.type === "positional")
      return `unknown option ${arg.split("=")[0]}`;
    if (def.type === "string" && inlineValue === undefined && name === bare) {
      // The next word is this flag's value even when it starts with "-".
      if (i + 1 >= rawArgs.length) return `option --${name} needs a value`;
      i++;
    }
  }
  return undefined;
}

/** Every value of a repeatable string flag, in order (citty keeps only the last). */
export function collectRepeated(rawArgs: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    if (arg === "--") break;
    if (arg === `--${name}`) {
      const v = rawArgs[i + 1];
      if (v !== undefined) out.push(v);
      i++;
    } else if (arg.startsWith(`--${name}=`)) {
      out.push(arg.slice(name.length + 3));
    }
  }
  return out;
}
