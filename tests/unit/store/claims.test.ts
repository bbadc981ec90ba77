import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaimStore } from "../../../src/store/claims.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-claims-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const alice = { folded: "alice", nick: "Alice", hash: "$argon2id$fake", certfp: null };

describe("ClaimStore", () => {
  test("a claim is kept, found by its casefolded nick, and a second claim of it is refused", () => {
    const s = ClaimStore.memory(90);
    expect(s.create(alice, 1000)).toBe(true);
    expect(s.get("alice", 2000)).toMatchObject({ nick: "Alice", created: 1000, lastLogin: 1000 });
    expect(s.create({ ...alice, nick: "ALICE" }, 3000)).toBe(false);
    expect(s.get("bob", 2000)).toBeUndefined();
    s.close();
  });

  test("a claim expires after claim-days without a login, and a login restarts the clock", () => {
    const s = ClaimStore.memory(90);
    s.create(alice, 0);
    s.touch("alice", 80 * DAY);
    expect(s.get("alice", 160 * DAY)).toBeDefined();
    expect(s.get("alice", 171 * DAY)).toBeUndefined();
    // Gone for good: the nick can be claimed again by anyone.
    expect(s.create({ ...alice, hash: "$other" }, 171 * DAY)).toBe(true);
    expect(s.get("alice", 171 * DAY)?.hash).toBe("$other");
    s.close();
  });

  test("--claim-days 1 expires a claim a day and a moment after its last login", () => {
    const s = ClaimStore.memory(1);
    s.create(alice, 0);
    expect(s.get("alice", DAY)).toBeDefined();
    expect(s.get("alice", DAY + 1)).toBeUndefined();
    s.close();
  });

  test("a certificate claim is found by its fingerprint", () => {
    const s = ClaimStore.memory();
    s.create({ folded: "bob", nick: "bob", hash: null, certfp: "ab12" }, 5);
    expect(s.byCert("ab12", 6)?.nick).toBe("bob");
    expect(s.byCert("ffff", 6)).toBeUndefined();
    s.close();
  });

  test("remove drops a claim and says whether there was one", () => {
    const s = ClaimStore.memory();
    s.create(alice, 0);
    expect(s.remove("alice")).toBe(true);
    expect(s.remove("alice")).toBe(false);
    expect(s.get("alice", 0)).toBeUndefined();
    s.close();
  });

  test("claims in a database file survive closing and reopening it", () => {
    const path = join(dir, "claims.db");
    const a = ClaimStore.open(path, 90);
    a.create(alice, 10);
    a.close();
    const b = ClaimStore.open(path, 90);
    expect(b.get("alice", 20)).toMatchObject({ nick: "Alice", hash: "$argon2id$fake" });
    b.close();
  });

  test("a file that is not a database is a clear open error naming it", () => {
    const path = join(dir, "junk.db");
    writeFileSync(path, "this is not sqlite at all, just text that goes on for a while....");
    expect(() => ClaimStore.open(path, 90)).toThrow(/junk\.db/);
  });
});
