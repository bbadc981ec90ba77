/**
 * `chat admin backup` and `chat admin export`: reading the history database
 * from another process while the server may be writing it. WAL lets a reader
 * work beside the writer: `VACUUM INTO` copies one consistent snapshot (the
 * online backup), and the export reads in one transaction.
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import type { HistoryCommand } from "../store.ts";
import { describe } from "./log.ts";

/** The database could not be read or the backup not written: one line for the host. */
export class BackupError extends Error {
  override name = "BackupError";
}

function openExisting(path: string): Database {
  if (!existsSync(path)) {
    throw new BackupError(`no history database at ${path}; see --db (the path chat serve uses)`);
  }
  try {
    const db = new Database(path, { create: false, strict: true });
    // The server's flushes are short; wait for one rather than fail.
    db.run("PRAGMA busy_timeout = 5000");
    return db;
  } catch (err) {
    throw new BackupError(`cannot open ${path}: ${describe(err)}`);
  }
}

/** Copy the database, as it is at one instant, to a new file `to` (mode 0600). */
export function backupDatabase(from: string, to: string): { bytes: number } {
  if (existsSync(to)) {
    throw new BackupError(`${to} already exists; give a new file name (a backup never overwrites)`);
  }
  const db = openExisting(from);
  // Private messages are in there: the copy is the host's alone.
  const umask = process.umask(0o177);
  try {
    db.query<never, [string]>("VACUUM INTO ?").run(to);
  } catch (err) {
    throw new BackupError(`cannot write the backup ${to}: ${describe(err)}`);
  } finally {
    process.umask(umask);
    db.close(false);
  }
  return { bytes: Bun.file(to).size };
}

export interface ExportedMessage {
  time: number;
  msgid: string;
  source: string;
  command: HistoryCommand;
  target: string;
  text: string;
}

/** A conversation's messages from `since` (ms) on, oldest first, read in one snapshot. */
export function exportConversation(
  path: string,
  key: string,
  since: number,
  each: (m: ExportedMessage) => void,
): number {
  const db = openExisting(path);
  try {
    let n = 0;
    db.transaction(() => {
      const rows = db
        .query<ExportedMessage, [string, number]>(
          `SELECT time, msgid, source, command, target, text FROM messages
           WHERE key = ? AND time >= ? ORDER BY time, id`,
        )
        .iterate(key, since);
      for (const row of rows) {
        each(row);
        n++;
      }
    })();
    return n;
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`cannot read ${path}: ${describe(err)}`);
  } finally {
    db.close(false);
  }
}
