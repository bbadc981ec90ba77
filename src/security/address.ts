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
