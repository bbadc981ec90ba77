/** The moderation stores (memory and SQLite) keep entries by kind and pattern, and drop expired ones. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryModeration, type ModerationStore } from "../../../src/store/moderation.ts";
import { SqliteModeration } from "../../../src/store/sqlite/moderation.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-moderation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kinds: [string, () => ModerationStore][] = [
  ["memory", () => new MemoryModeration()],
  ["sqlite", () => new SqliteModeration(join(dir, `m${Math.random()}.db`), () => {})],
];

for (const [name, make] of kinds) {
  describe(`${name} moderation store`, () => {
    test("same kind and pattern in another case replaces; another kind is separate", () => {
      const m = make();
      m.save({ kind: "kline", pattern: "Bob!*@*", reason: "a", setBy: "op", setAt: 1 });
      m.save({ kind: "kline", pattern: "bob!*@*", reason: "b", setBy: "op", setAt: 2 });
      m.save({ kind: "dline", pattern: "10.0.0.0/8", reason: "c", setBy: "op", setAt: 3 });
      const all = m.load(10);
      expect(all.map((e) => `${e.kind} ${e.reason}`).sort()).toEqual(["dline c", "kline b"]);
      m.remove("kline", "BOB!*@*");
      expect(m.load(10).map((e) => e.kind)).toEqual(["dline"]);
      m.close();
    });

    test("an entry is loaded until its expiry, then never again", () => {
      const m = make();
      const lock = { setBy: "server", setAt: 0, reason: "too many OPER attempts" };
      m.save({ kind: "lockout-oper", pattern: "127.0.0.1", expiresAt: 1000, ...lock });
      m.save({ kind: "kline", pattern: "x!*@*", reason: "forever", setBy: "op", setAt: 0 });
      expect(
        m
          .load(999)
          .map((e) => e.kind)
          .sort(),
      ).toEqual(["kline", "lockout-oper"]);
      expect(m.load(999).find((e) => e.kind === "lockout-oper")?.expiresAt).toBe(1000);
      expect(m.load(1000).map((e) => e.kind)).toEqual(["kline"]);
      // Dropped for good, not just hidden: an earlier clock does not bring it back.
      expect(m.load(0).map((e) => e.kind)).toEqual(["kline"]);
      m.close();
    });
  });
}

test("the SQLite store keeps its entries in the file across connections", () => {
  const path = join(dir, "kept.db");
  const a = new SqliteModeration(path, () => {});
  a.save({ kind: "dline", pattern: "192.0.2.0/24", reason: "r", setBy: "op", setAt: 5 });
  a.close();
  const b = new SqliteModeration(path, () => {});
  expect(b.load(6)).toEqual([
    { kind: "dline", pattern: "192.0.2.0/24", reason: "r", setBy: "op", setAt: 5 },
  ]);
  b.close();
});
