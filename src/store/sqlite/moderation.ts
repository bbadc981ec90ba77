/**
 * Server bans and address lockouts in the history database, table
 * `moderation`, on a connection of its own. The table is created here (IF NOT
 * EXISTS) rather than by a history migration: it belongs to this module alone,
 * and a database written by an older chat simply gains it. Writes happen at
 * once (a ban is rare and must survive a crash right after it is set).
 */
import { Database } from "bun:sqlite";
import { StoreOpenError } from "../errors.ts";
import {
  inForce,
  type ModerationEntry,
  type ModerationKind,
  type ModerationStore,
  moderationKey,
} from "../moderation.ts";
import { describe, ErrorLog } from "./log.ts";

interface Row {
  kind: string;
  pattern: string;
  reason: string;
  set_by: string;
  set_at: number;
  expires_at: number | null;
}

const KINDS: readonly string[] = ["kline", "dline", "lockout-password", "lockout-oper"];

export class SqliteModeration implements ModerationStore {
  private readonly db: Database;
  private readonly log: ErrorLog;

  /** Opens `path` (the history file; it must exist or be creatable). Throws StoreOpenError. */
  constructor(path: string, onError: (message: string) => void) {
    this.log = new ErrorLog(onError);
    try {
      this.db = new Database(path, { create: true, strict: true });
      this.db.run("PRAGMA busy_timeout = 2000");
      this.db.run(
        `CREATE TABLE IF NOT EXISTS moderation (
           id TEXT PRIMARY KEY,
           kind TEXT NOT NULL,
           pattern TEXT NOT NULL,
           reason TEXT NOT NULL,
           set_by TEXT NOT NULL,
           set_at INTEGER NOT NULL,
           expires_at INTEGER
         ) WITHOUT ROWID`,
      );
    } catch (err) {
      throw new StoreOpenError(path, `cannot open its moderation table: ${describe(err)}`, err);
    }
  }

  load(now: number): ModerationEntry[] {
    try {
      this.db.query<never, [number]>("DELETE FROM moderation WHERE expires_at <= ?").run(now);
      const rows = this.db.query<Row, []>("SELECT * FROM moderation ORDER BY set_at").all();
      return rows
        .filter((r) => KINDS.includes(r.kind))
        .map(toEntry)
        .filter((e) => inForce(e, now));
    } catch (err) {
      this.log.urgent(`could not read server bans: ${describe(err)}`);
      return [];
    }
  }

  save(e: ModerationEntry): void {
    try {
      this.db
        .query<never, [string, string, string, string, string, number, number | null]>(
          `INSERT OR REPLACE INTO moderation (id, kind, pattern, reason, set_by, set_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          moderationKey(e.kind, e.pattern),
          e.kind,
          e.pattern,
          e.reason,
          e.setBy,
          e.setAt,
          e.expiresAt ?? null,
        );
    } catch (err) {
      this.log.urgent(`could not save the ${e.kind} on ${e.pattern}: ${describe(err)}`);
    }
  }

  remove(kind: ModerationKind, pattern: string): void {
    try {
      this.db
        .query<never, [string]>("DELETE FROM moderation WHERE id = ?")
        .run(moderationKey(kind, pattern));
    } catch (err) {
      this.log.urgent(`could not lift the ${kind} on ${pattern}: ${describe(err)}`);
    }
  }

  close(): void {
    this.db.close(false);
  }
}

function toEntry(r: Row): ModerationEntry {
  const e: ModerationEntry = {
    kind: r.kind as ModerationKind,
    pattern: r.pattern,
    reason: r.reason,
    setBy: r.set_by,
    setAt: r.set_at,
  };
  if (r.expires_at !== null) e.expiresAt = r.expires_at;
  return e;
}
