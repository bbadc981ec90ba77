/**
 * The history file holds private messages: on a first start the database and
 * the -wal and -shm files SQLite keeps beside it (where the newest messages
 * are until a checkpoint) are readable by the host alone, whatever the umask.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureChatBinary } from "../helpers/binary.ts";
import { serveCommand, spawnServe } from "../helpers/serve-process.ts";

beforeAll(ensureChatBinary, 120_000);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

describe("chat serve's database files (compiled binary)", () => {
  test("a new database and its -wal and -shm files are mode 0600 while the server runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-dbmode-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "chat.db");
    // A usual umask (022) would leave new files readable by every local user.
    const old = process.umask(0o022);
    let server: Awaited<ReturnType<typeof spawnServe>>;
    try {
      server = await spawnServe(serveCommand(["--db", db], "binary"), {
        readyWhen: /Press Ctrl-C/,
      });
    } finally {
      process.umask(old);
    }
    cleanups.push(() => server.stop());
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      expect({ file: f, mode: statSync(f).mode & 0o777 }).toEqual({ file: f, mode: 0o600 });
    }
  });
});
