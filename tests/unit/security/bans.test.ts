import { describe, expect, test } from "bun:test";
import { addressKey } from "../../../src/security/address.ts";
import {
  coversEveryAddress,
  globMatch,
  ipMatches,
  isIpPattern,
  normalizeMask,
  ServerBans,
} from "../../../src/security/bans.ts";

const alice = { nick: "Alice", user: "al", host: "laptop.example", ip: "10.1.2.3" };

describe("masks", () => {
  test("short forms expand like IRC servers do", () => {
    expect(normalizeMask("bob")).toBe("bob!*@*");
    expect(normalizeMask("*@10.0.0.1")).toBe("*!*@10.0.0.1");
    expect(normalizeMask("bob!x")).toBe("bob!x@*");
  });

  test("globs match under rfc1459 casemapping", () => {
    expect(globMatch("alice!*@*", "ALICE!al@host")).toBe(true);
    expect(globMatch("a[b]!*", "A{B}!x")).toBe(true);
    expect(globMatch("*!*@*.example", "x!y@laptop.example")).toBe(true);
    expect(globMatch("?lice!*", "alice!u")).toBe(true);
    expect(globMatch("bob!*@*", "alice!u@h")).toBe(false);
    // Pathological patterns stay fast (no regex backtracking).
    expect(globMatch(`${"*a".repeat(200)}b`, "a".repeat(5000))).toBe(false);
  });
});

describe("IP patterns", () => {
  test("exact, CIDR and glob over IPv4 and IPv6", () => {
    expect(ipMatches("10.1.2.3", "10.1.2.3")).toBe(true);
    expect(ipMatches("10.1.0.0/16", "10.1.200.3")).toBe(true);
    expect(ipMatches("10.1.0.0/16", "10.2.0.1")).toBe(false);
    expect(ipMatches("0.0.0.0/0", "192.168.1.1")).toBe(true);
    expect(ipMatches("10.1.*", "10.1.9.9")).toBe(true);
    expect(ipMatches("2001:db8::/32", "2001:db8:1::5")).toBe(true);
    expect(ipMatches("2001:db8::/32", "2001:db9::5")).toBe(false);
    expect(ipMatches("::1", "0:0:0:0:0:0:0:1")).toBe(true);
    // Bun reports IPv4 peers on dual-stack sockets as IPv4-mapped IPv6.
    expect(ipMatches("127.0.0.0/8", "::ffff:127.0.0.1")).toBe(true);
  });

  test("only addresses and ranges count as IP patterns", () => {
    expect(isIpPattern("1.2.3.4")).toBe(true);
    expect(isIpPattern("1.2.0.0/16")).toBe(true);
    expect(isIpPattern("fe80::/10")).toBe(true);
    expect(isIpPattern("10.*")).toBe(true);
    expect(isIpPattern("bob!*@*")).toBe(false);
    expect(isIpPattern("1.2.3.4/x")).toBe(false);
    expect(isIpPattern("1.2.3.4/32")).toBe(true);
    expect(isIpPattern("::/128")).toBe(true);
    expect(isIpPattern("1.2.3.4/33")).toBe(false);
    expect(isIpPattern("2001:db8::/129")).toBe(false);
    expect(isIpPattern("10.*/8")).toBe(false);
    expect(isIpPattern("10.0.0.0/8/8")).toBe(false);
  });
});

describe("ServerBans", () => {
  test("a mask ban matches by hostname or by IP, and can be lifted", () => {
    const bans = new ServerBans();
    bans.add({ kind: "mask", pattern: "alice", reason: "spam", setBy: "op", setAt: 1 });
    expect(bans.match(alice)?.reason).toBe("spam");
    expect(bans.match({ ...alice, nick: "bob" })).toBeUndefined();
    bans.add({ kind: "mask", pattern: "*@10.1.*", reason: "range", setBy: "op", setAt: 2 });
    expect(bans.match({ ...alice, nick: "bob" })?.reason).toBe("range");
    expect(bans.remove("mask", "ALICE!*@*")?.reason).toBe("spam");
    expect(bans.remove("mask", "alice")).toBeUndefined();
    expect(bans.list()).toHaveLength(1);
  });

  test("an IP ban refuses before registration; adding the same pattern replaces it", () => {
    const bans = new ServerBans();
    bans.add({ kind: "ip", pattern: "10.1.0.0/16", reason: "a", setBy: "op", setAt: 1 });
    bans.add({ kind: "ip", pattern: "10.1.0.0/16", reason: "b", setBy: "op", setAt: 2 });
    expect(bans.list()).toHaveLength(1);
    expect(bans.matchIp("10.1.2.3")?.reason).toBe("b");
    expect(bans.matchIp("10.2.2.3")).toBeUndefined();
  });
});

describe("addressKey (what counts as one address for per-address limits)", () => {
  test("IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:0db8:0001:0002::/64");
    expect(addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(addressKey("2001:db8:1:2::9"));
    expect(addressKey("2001:db8:1:3::1")).not.toBe(addressKey("2001:db8:1:2::1"));
    expect(addressKey("::1")).toBe("0000:0000:0000:0000::/64");
    expect(addressKey("not-an-address")).toBe("not-an-address");
  });
});

describe("coversEveryAddress", () => {
  test("only patterns that match every address", () => {
    for (const p of ["*", "*.*", "*:*", "0.0.0.0/0", "::/0", "10.0.0.0/00"]) {
      expect(coversEveryAddress(p)).toBe(true);
    }
    for (const p of ["10.*", "10.0.0.0/8", "2001:db8::/32", "127.0.0.1"]) {
      expect(coversEveryAddress(p)).toBe(false);
    }
  });
});
