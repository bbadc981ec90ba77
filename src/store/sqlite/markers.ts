/**
 * draft/read-marker positions in the read_markers table: one row per nick and
 * conversation. Written at once, like room state. A storage error is reported
 * and answered with nothing, as every read of the store is.
 */
import type { Database, Statement } from "bun:sqlite";
import { describe, type ErrorLog } from "./log.ts";

export class SqliteMarkers {
  private readonly get: Statement<{ time: number }, [string, string]>;
  private readonly put: Statement<unknown, [string, string, number]>;

  constructor(
    db: Database,
    private readonly log: ErrorLog,
  ) {
    this.get = db.query("SELECT time FROM read_markers WHERE nick = ? AND target = ?");
    this.put = db.query(
      "INSERT INTO read_markers (nick, target, time) VALUES (?, ?, ?) ON CONFLICT (nick, target) DO UPDATE SET time = excluded.time",
    );
  }

  read(nick: string, target: string): number | undefined {
    try {
      return this.get.get(nick, target)?.time;
    } catch (err) {
      this.log.report(`history: could not read the read marker of ${nick}: ${describe(err)}`);
      return undefined;
    }
  }

  save(nick: string, target: string, time: number): void {
    try {
      this.put.run(nick, target, time);
    } catch (err) {
      this.log.report(`history: could not save the read marker of ${nick}: ${describe(err)}`);
    }
  }
}
