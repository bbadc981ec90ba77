/**
 * Which connections count as "the same address" for per-address limits.
 * An IPv6 user is routinely given a whole /64, so counting single IPv6
 * addresses would let one person open 2^64 times the per-address cap; IPv4
 * peers on a dual-stack socket arrive as ::ffff:a.b.c.d and count as a.b.c.d.
 */
import { ipv6ToBigInt } from "./bans.ts";

export function addressKey(ip: string): string {
  if (ip.startsWith("::ffff:") && ip.includes(".")) return ip.slice(7);
  if (!ip.includes(":")) return ip;
  const n = ipv6ToBigInt(ip);
  if (n === undefined) return ip;
  return `${(n >> 64n)
    .toString(16)
    .padStart(16, "0")
    .replace(/(.{4})(?!$)/g, "$1:")}::/64`;
}

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback: this machine itself. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  return ipv6ToBigInt(ip) === 1n;
}

/**
 * Connections one address may hold. Remote addresses get the tighter
 * `remoteCap`: the host's own machine (benchmarks, a local bouncer, tests)
 * keeps the loose `anyCap`, so a load generator on 127.0.0.1 still works while
 * a stranger on the internet cannot take thousands of slots.
 */
export function connectionCapFor(ip: string, anyCap: number, remoteCap: number): number {
  return isLoopback(ip) ? anyCap : Math.min(anyCap, remoteCap);
}
