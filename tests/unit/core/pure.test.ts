import { describe, expect, test } from "bun:test";
import { type FloodTokens, fillTokens, takeToken } from "../../../src/core/flood.ts";
import { normalizeMask } from "../../../src/core/rules.ts";
import { clipBytes, sanitizeLine } from "../../../src/protocol/text.ts";
import { globMatch } from "../../../src/security/bans.ts";

describe("flood tokens", () => {
  test("allows a burst, then refills at the rate, never above the burst", () => {
    const tokens: FloodTokens = { floodTokens: 0, floodLast: 0 };
    fillTokens(tokens, 3, 0);
    const b = { take: (now: number) => takeToken(tokens, 3, 2, now) };
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(499)).toBe(false);
    expect(b.take(500)).toBe(true); // 2 per second: one token after 500 ms
    // A long pause refills only up to the burst.
    expect([b.take(60_000), b.take(60_000), b.take(60_000), b.take(60_000)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe("ban masks", () => {
  test("normalize short forms to nick!user@host", () => {
    expect(normalizeMask("bob")).toBe("bob!*@*");
    expect(normalizeMask("*@10.0.0.1")).toBe("*!*@10.0.0.1");
    expect(normalizeMask("bob!~b")).toBe("bob!~b@*");
    expect(normalizeMask("a!b@c")).toBe("a!b@c");
    expect(normalizeMask("a b,c")).toBe("abc!*@*");
    expect(normalizeMask("")).toBe("*!*@*");
  });

  test("glob matching with * and ?", () => {
    expect(globMatch("bob!*@*", "bob!~bob@127.0.0.1")).toBe(true);
    expect(globMatch("bob!*@*", "bobby!~bob@127.0.0.1")).toBe(false);
    expect(globMatch("*!*@127.0.0.?", "x!y@127.0.0.1")).toBe(true);
    expect(globMatch("*", "")).toBe(true);
    expect(globMatch("a*b*c", "aXXbYYc")).toBe(true);
    expect(globMatch("a*b*c", "aXXbYY")).toBe(false);
  });
});

describe("input hygiene", () => {
  test("control bytes go, IRC formatting and CTCP stay", () => {
    expect(sanitizeLine("a\x00b\rc\x1b[0md\x7f")).toBe("abc[0md");
    expect(sanitizeLine("\x01ACTION waves\x01 \x02b\x02 \x0304red\x03")).toBe(
      "\x01ACTION waves\x01 \x02b\x02 \x0304red\x03",
    );
    expect(sanitizeLine("c1\u009bcontrol")).toBe("c1control");
  });

  test("clipBytes never splits a UTF-8 character", () => {
    expect(clipBytes("héllo", 2)).toBe("h");
    expect(clipBytes("héllo", 3)).toBe("hé");
    expect(clipBytes("日本語", 7)).toBe("日本");
    expect(clipBytes("short", 100)).toBe("short");
  });
});
