/**
 * The background integrity check at start must not call a healthy new database
 * damaged: the claims and moderation stores create their tables on their own
 * connections while it runs, as `chat serve` opens them. Before the fix, about
 * one start in twenty here reported "vtable constructor failed: messages_fts".
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaimStore } from "../../../src/store/claims.ts";
import { openModeration, openStore } from "../../../src/store/open.ts";
import type { SqliteStore } from "../../../src/store/sqlite.ts";

const root = mkdtempSync(join(tmpdir(), "chat-integrity-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("a fresh database opened as chat serve opens it is never reported damaged", async () => {
  const problems: string[][] = [];
  for (let i = 0; i < 80; i++) {
    const path = join(root, `start-${i}.db`);
    const store = openStore({ history: 100, db: path, onError: () => {} }) as SqliteStore;
    const claims = ClaimStore.open(path, 90);
    const moderation = openModeration(path, () => {});
    const result = await store.integrity;
    if (result !== undefined && !result.ok) problems.push(result.problems);
    store.close();
    claims.close();
    moderation.close();
  }
  expect(problems).toEqual([]);
}, 60_000);
