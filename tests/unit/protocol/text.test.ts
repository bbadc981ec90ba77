import { heapStats } from "bun:jsc";
import { describe, expect, test } from "bun:test";
import { ownString } from "../../../src/protocol/text.ts";

describe("ownString", () => {
  test("the copy is the same text, whatever it holds", () => {
    const samples = ["", "alice", "Ünïcødé ☃ 😀", 'a"b\\c\n', "\ud800 lone", "x".repeat(600)];
    for (const t of samples) {
      expect(ownString(t)).toBe(t);
    }
  });

  test("a kept copy does not keep the line it was sliced from alive", () => {
    const count = (): number => {
      Bun.gc(true);
      return heapStats().objectTypeCounts.string ?? 0;
    };
    const n = 5000;
    const kept = (copy: (s: string) => string): number => {
      const keep: string[] = [];
      const before = count();
      for (let i = 0; i < n; i++) {
        const line = `NICK nick${i} and the rest of a long line ${i} ${"-".repeat(40)}`;
        keep.push(copy(line.slice(5, 5 + `nick${i}`.length)));
      }
      const per = (count() - before) / n;
      expect(keep).toHaveLength(n);
      return per;
    };
    // A slice pins its line (two strings per kept value); the copy holds only itself.
    expect(kept((s) => s)).toBeGreaterThan(1.9);
    expect(kept(ownString)).toBeLessThan(1.5);
  });
});
