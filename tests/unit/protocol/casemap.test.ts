import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { CASEMAPPING, foldCase, sameName } from "../../../src/protocol/casemap.ts";

describe("rfc1459 casemapping", () => {
  test("is the mapping we declare", () => {
    expect(CASEMAPPING).toBe("rfc1459");
  });

  test("ASCII letters fold to lower case", () => {
    expect(foldCase("Alice")).toBe("alice");
    expect(foldCase("#LoBBy")).toBe("#lobby");
  });

  test("[]\\~ fold to {}|^, so nicks differing only there collide", () => {
    expect(foldCase("[Bob]\\~")).toBe("{bob}|^");
    expect(sameName("nick[away]", "NICK{AWAY}")).toBe(true);
    expect(sameName("a\\b", "a|b")).toBe(true);
    expect(sameName("x~", "X^")).toBe(true);
  });

  test("non-ASCII letters are left alone (rfc1459 is ASCII-only)", () => {
    expect(foldCase("ÉCOLE")).toBe("École");
    expect(sameName("Zoë", "zoË")).toBe(false);
  });

  test("property: any ASCII name equals its upper-cased form", () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    fc.assert(
      fc.property(ascii, (a) => {
        expect(sameName(a, a.toUpperCase())).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("different names stay different", () => {
    expect(sameName("alice", "alice2")).toBe(false);
    expect(sameName("ab", "ba")).toBe(false);
  });

  test("property: folding is idempotent and sameName is symmetric", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        expect(foldCase(foldCase(a))).toBe(foldCase(a));
        expect(sameName(a, b)).toBe(sameName(b, a));
      }),
      { numRuns: 1000 },
    );
  });
});
