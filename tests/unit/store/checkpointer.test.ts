import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Checkpointer } from "../../../src/store/sqlite/checkpointer.ts";
import { SqliteStore } from "../../../src/store/sqlite.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-checkpoint-"));
let n = 0;
const freshPath = (): string => join(dir, `db-${++n}.db`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const size = (p: string): number => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};

function appendMany(s: SqliteStore, count: number): void {
  for (let i = 0; i < count; i++) {
    s.append({
      msgid: `m${i}`,
      time: i,
      key: "#a",
      target: "#a",
      source: "x!y@z",
      command: "PRIVMSG",
      text: `message ${i} ${"x".repeat(100)}`,
    });
    if (i % 500 === 499) s.flush();
  }
  s.flush();
}

/** Polls `ok` every 10 ms up to `ms`: every wait here is bounded. */
async function until(ok: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await Bun.sleep(10);
  return ok();
}

describe("WAL checkpoints off the event loop", () => {
  test("the writing connection never checkpoints inside a commit", () => {
    const path = freshPath();
    // An interval far beyond the test: only a commit could move pages into the main file.
    const s = new SqliteStore({ path, history: 100_000, checkpointIntervalMs: 600_000 });
    try {
      const before = size(path);
      appendMany(s, 20_000); // ~4 MB of WAL, past SQLite's 1,000-page automatic checkpoint
      expect(size(`${path}-wal`)).toBeGreaterThan(4_000_000);
      expect(size(path)).toBe(before);
      expect(s.latest("#a", 1).map((e) => e.msgid)).toEqual(["m19999"]);
    } finally {
      s.close();
    }
  });

  test("the worker copies committed messages into the main file while the store runs", async () => {
    const path = freshPath();
    const s = new SqliteStore({ path, history: 100_000, checkpointIntervalMs: 20 });
    try {
      appendMany(s, 20_000);
      // The rows are in the main file itself once it holds ~the WAL's size of pages.
      expect(await until(() => size(path) > 2_000_000, 10_000)).toBe(true);
      const reader = new Database(path, { readonly: true });
      try {
        const row = reader.query<{ n: number }, []>("SELECT count(*) AS n FROM messages").get();
        expect(row?.n).toBe(20_000);
      } finally {
        reader.close();
      }
    } finally {
      s.close();
    }
    // The clean stop still folds the WAL back: one file, nothing to replay.
    expect(size(`${path}-wal`)).toBe(0);
    const again = new SqliteStore({ path, history: 100_000 });
    try {
      expect(again.latest("#a", 1).map((e) => e.msgid)).toEqual(["m19999"]);
    } finally {
      again.close();
    }
  });

  test("a checkpointer that cannot open the file says so instead of failing silently", async () => {
    let reason = "";
    const c = new Checkpointer({
      path: join(dir, "missing", "nothing.db"),
      intervalMs: 10,
      onFailure: (r) => {
        reason = r;
      },
    });
    expect(c.start()).toBe(true);
    try {
      expect(await until(() => reason !== "", 5000)).toBe(true);
      expect(reason.length).toBeGreaterThan(0);
    } finally {
      c.stop();
    }
  });

  test("each step reports the WAL frames it copied", async () => {
    const path = freshPath();
    const s = new SqliteStore({ path, history: 100_000, checkpointIntervalMs: 600_000 });
    const steps: Array<[number, number]> = [];
    const c = new Checkpointer({
      path,
      intervalMs: 10,
      onFailure: (r) => {
        throw new Error(r);
      },
      onStep: (log, done) => steps.push([log, done]),
    });
    try {
      appendMany(s, 2_000);
      c.start();
      expect(await until(() => steps.some(([log, done]) => log > 0 && done === log), 5000)).toBe(
        true,
      );
    } finally {
      c.stop();
      s.close();
    }
  });
});
