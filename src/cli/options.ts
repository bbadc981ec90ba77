/**
 * Turning raw CLI strings into checked, typed options. Pure: no I/O, so every
 * rule about flags is unit-tested without spawning a process.
 */
import { UsageError } from "./usage-error.ts";

export const DEFAULT_PORT = 6667;
export const DEFAULT_ROOM = "lobby";
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

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address. */
export function parseHostPort(raw: string, defaultPort = DEFAULT_PORT): HostPort {
  const s = raw.trim();
  if (s === "")
    throw new UsageError("missing HOST[:PORT], for example: chat join 192.168.1.20:6667");
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close === -1) throw new UsageError(`bad address ${JSON.stringify(raw)}: missing "]"`);
    const host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (host === "") throw new UsageError(`bad address ${JSON.stringify(raw)}: empty host`);
    if (rest === "") return { host, port: defaultPort };
    if (!rest.startsWith(":")) throw new UsageError(`bad address ${JSON.stringify(raw)}`);
    return { host, port: checkJoinPort(rest.slice(1), raw) };
  }
  const colons = s.split(":").length - 1;
  if (colons > 1) return { host: s, port: defaultPort }; // bare IPv6
  if (colons === 1) {
    const [host = "", port = ""] = s.split(":");
    if (host === "") throw new UsageError(`bad address ${JSON.stringify(raw)}: empty host`);
    return { host, port: checkJoinPort(port, raw) };
  }
  if (/[\s/]/.test(s)) throw new UsageError(`bad address ${JSON.stringify(raw)}`);
  return { host: s, port: defaultPort };
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

/** Flags given that the command does not declare: citty ignores them, we refuse them. */
export function findUnknownFlag(
  rawArgs: readonly string[],
  known: ReadonlySet<string>,
): string | undefined {
  for (const arg of rawArgs) {
    if (arg === "--") return undefined;
    if (!arg.startsWith("-") || arg === "-") continue;
    const name = arg.replace(/^--?/, "").split("=")[0] ?? "";
    const bare = name.startsWith("no-") ? name.slice(3) : name;
    if (!known.has(name) && !known.has(bare)) return arg.split("=")[0];
  }
  return undefined;
}
