/**
 * Storage failing while the server runs: the error is logged, live relay goes
 * on, and what was buffered is written once the disk has room again.
 */

import type { Database } from "bun:sqlite";
import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-failure-"));
let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test("a full disk is logged while messages keep flowing, and nothing is lost once space returns", async () => {
  const errors: string[] = [];
  const store = new SqliteStore({
    path: join(dir, "full.db"),
    history: 10_000,
    onError: (line) => errors.push(line),
  });
  t = await startTestServer({ store, limits: { floodLimit: false } });
  const alice = await t.client("alice");
  const bob = await t.client("bob");
  for (const c of [alice, bob]) c.send("JOIN #full");
  await bob.expect(/ 366 bob #full /);

  // Cap the file at its current size: the next growth fails with SQLITE_FULL,
  // exactly as a full disk does.
  const db = (store as unknown as { db: Database }).db;
  const pages = db.query<{ page_count: number }, []>("PRAGMA page_count").get()?.page_count ?? 0;
  db.run(`PRAGMA max_page_count = ${pages}`);

  const big = "x".repeat(400);
  for (let i = 1; i <= 40; i++) alice.send(`PRIVMSG #full :${i} ${big}`);
  // Live relay is unaffected.
  await bob.expect(new RegExp(`PRIVMSG #full :40 ${big}$`));
  expect(errors.some((e) => e.includes("SQLITE_FULL"))).toBe(true);

  // Space again: the next turn's flush writes everything that was buffered.
  db.run("PRAGMA max_page_count = 1073741823");
  alice.send("PRIVMSG #full :after");
  await bob.expect(/PRIVMSG #full :after$/);
  const kept = store.latest("#full", 100).map((e) => e.text.split(" ")[0]);
  expect(kept).toEqual([...Array.from({ length: 40 }, (_, i) => String(i + 1)), "after"]);
});
