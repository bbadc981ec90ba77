/**
 * Server-wide bans set by operators (like IRC's KLINE and DLINE): by
 * `nick!user@host` mask, or by IP address / CIDR range, each until lifted or
 * until it expires. Pure, in memory (the core saves them through a
 * ModerationStore so they outlive a restart).
 */
import { foldCase } from "../protocol/casemap.ts";

export type BanKind = "mask" | "ip";

/**
 * The longest ban with an end, in minutes (about 23 months; IRC's KLINE/DLINE
 * take at most six digits). Beyond a few thousand years the end is no date at
 * all and every listing of the bans failed; a lasting ban is one without minutes.
 */
export const MAX_BAN_MINUTES = 999_999;

export interface ServerBan {
  kind: BanKind;
  /** As the operator typed it, normalised: a full `nick!user@host` mask, or an IP/CIDR. */
  pattern: string;
  reason: string;
  setBy: string;
  setAt: number;
  /** ms since the epoch; undefined: until lifted. */
  expiresAt?: number;
}

export interface BanSubject {
  nick: string;
  user: string;
  host: string;
  ip: string;
}

/** `bob` -> `bob!*@*`, `*@1.2.3.4` -> `*!*@1.2.3.4`, as IRC servers expand masks. */
export function normalizeMask(raw: string): string {
  let m = raw.trim();
  if (!m.includes("!") && !m.includes("@")) m = `${m}!*@*`;
  else if (!m.includes("!")) m = `*!${m}`;
  else if (!m.includes("@")) m = `${m}@*`;
  return m;
}

/** Glob with `*` and `?` under the server's casemapping. */
export function globMatch(pattern: string, text: string): boolean {
  const p = foldCase(pattern);
  const t = foldCase(text);
  // Iterative wildcard matching: linear-ish, no regex built from user input.
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const pc = p[pi];
    if (pc === "?" || (pc !== undefined && pc !== "*" && pc === t[ti])) {
      pi++;
      ti++;
    } else if (pc === "*") {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === "*") pi++;
  return pi === p.length;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function ipv6ToBigInt(ip: string): bigint | undefined {
  let s = ip.toLowerCase();
  // An IPv4-mapped tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4?.[1]) {
    const n = ipv4ToInt(v4[1]);
    if (n === undefined) return undefined;
    s = `${s.slice(0, -v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return n;
}

/** Does `ip` fall in `pattern` (an address, a CIDR range, or a glob such as 10.0.*)? */
export function ipMatches(pattern: string, ip: string): boolean {
  const addr = ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
  const slash = pattern.indexOf("/");
  if (slash === -1) {
    if (pattern.includes("*") || pattern.includes("?")) return globMatch(pattern, addr);
    const a4 = ipv4ToInt(pattern);
    if (a4 !== undefined) return a4 === ipv4ToInt(addr);
    const a6 = ipv6ToBigInt(pattern);
    return a6 !== undefined && a6 === ipv6ToBigInt(addr);
  }
  const base = pattern.slice(0, slash);
  const bits = Number(pattern.slice(slash + 1));
  const b4 = ipv4ToInt(base);
  if (b4 !== undefined) {
    const x = ipv4ToInt(addr);
    if (x === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
    if (bits === 0) return true;
    const mask = (0xffffffff << (32 - bits)) >>> 0;
    return (b4 & mask) >>> 0 === (x & mask) >>> 0;
  }
  const b6 = ipv6ToBigInt(base);
  const x6 = ipv6ToBigInt(addr);
  if (b6 === undefined || x6 === undefined || !Number.isInteger(bits) || bits < 0 || bits > 128) {
    return false;
  }
  const shift = BigInt(128 - bits);
  return b6 >> shift === x6 >> shift;
}

/**
 * True when `raw` is something an IP ban can hold: an address, a glob, or an
 * address with no more prefix bits than it has (32, or 128 for IPv6); a range
 * such as 10.0.0.0/33 would be stored and then match nobody.
 */
export function isIpPattern(raw: string): boolean {
  const [base = "", bits, ...more] = raw.split("/");
  if (more.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return false;
  if (base.includes("*") || base.includes("?")) {
    return bits === undefined && /^[0-9a-f.:*?]+$/i.test(base);
  }
  const width = ipv4ToInt(base) !== undefined ? 32 : ipv6ToBigInt(base) !== undefined ? 128 : 0;
  return width > 0 && (bits === undefined || Number(bits) <= width);
}

/**
 * True for an IP pattern that covers every address (`*`, `*.*`, `0.0.0.0/0`,
 * `::/0`): as a lasting ban it would lock out everyone, the host included.
 */
export function coversEveryAddress(pattern: string): boolean {
  const [base = "", bits] = pattern.split("/");
  return /^[*?.:]+$/.test(base) || (bits !== undefined && /^0+$/.test(bits));
}

export class ServerBans {
  private bans: ServerBan[] = [];

  /** The bans in force at `now` (every one when `now` is not given). */
  list(now?: number): readonly ServerBan[] {
    return now === undefined ? this.bans : this.bans.filter((b) => live(b, now));
  }

  /** Adds or replaces (same kind and pattern); returns the stored ban. */
  add(ban: ServerBan): ServerBan {
    const stored = {
      ...ban,
      pattern: ban.kind === "mask" ? normalizeMask(ban.pattern) : ban.pattern,
    };
    this.bans = this.bans.filter(
      (b) => !(b.kind === stored.kind && samePattern(b.pattern, stored.pattern)),
    );
    this.bans.push(stored);
    return stored;
  }

  /** Returns the removed ban, or undefined when there was none. */
  remove(kind: BanKind, pattern: string): ServerBan | undefined {
    const p = kind === "mask" ? normalizeMask(pattern) : pattern;
    const found = this.bans.find((b) => b.kind === kind && samePattern(b.pattern, p));
    if (found) this.bans = this.bans.filter((b) => b !== found);
    return found;
  }

  /** The first ban in force at `now` that applies to this user, if any. */
  match(who: BanSubject, now?: number): ServerBan | undefined {
    const full = `${who.nick}!${who.user}@${who.host}`;
    const byIp = `${who.nick}!${who.user}@${who.ip}`;
    for (const b of this.bans) {
      if (now !== undefined && !live(b, now)) continue;
      if (
        b.kind === "ip"
          ? ipMatches(b.pattern, who.ip)
          : globMatch(b.pattern, full) || globMatch(b.pattern, byIp)
      ) {
        return b;
      }
    }
    return undefined;
  }

  /** An IP ban that refuses a connection before it says anything. */
  matchIp(ip: string, now?: number): ServerBan | undefined {
    return this.bans.find(
      (b) => b.kind === "ip" && (now === undefined || live(b, now)) && ipMatches(b.pattern, ip),
    );
  }
}

function live(b: ServerBan, now: number): boolean {
  return b.expiresAt === undefined || b.expiresAt > now;
}

function samePattern(a: string, b: string): boolean {
  return foldCase(a) === foldCase(b);
}
