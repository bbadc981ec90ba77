/**
 * The SQLite side of the shared queries (queries.ts): ordered ranges of one
 * conversation as indexed SELECTs. A read that fails (I/O error, damaged page)
 * is reported and answers nothing, so it never takes the server down.
 */
import type { Database, Statement } from "bun:sqlite";
import type { ConversationIndex, Cut, Span } from "../queries.ts";
import type { HistoryCommand, HistoryEntry } from "../store.ts";
import { describe, type ErrorLog } from "./log.ts";

export interface MessageRow {
  id: number;
  msgid: string;
  time: number;
  key: string;
  target: string;
  source: string;
  command: string;
  text: string;
}

export const COLS = "id, msgid, time, key, target, source, command, text";

/** What a stored row's command may be; anything else reads as PRIVMSG. */
const COMMANDS: ReadonlySet<string> = new Set<HistoryCommand>([
  "PRIVMSG",
  "NOTICE",
  "JOIN",
  "PART",
  "KICK",
  "TOPIC",
  "MODE",
  "QUIT",
  "NICK",
]);

export function toEntry(row: MessageRow): HistoryEntry {
  return {
    msgid: row.msgid,
    time: row.time,
    key: row.key,
    target: row.target,
    source: row.source,
    command: COMMANDS.has(row.command) ? (row.command as HistoryCommand) : "PRIVMSG",
    text: row.text,
  };
}

export class SqliteIndex implements ConversationIndex {
  constructor(
    private readonly db: Database,
    private readonly log: ErrorLog,
  ) {}

  locate(key: string, msgid: string): Cut | undefined {
    try {
      const row = this.db
        .query<Cut, [string, string]>("SELECT id, time FROM messages WHERE msgid = ? AND key = ?")
        .get(msgid, key);
      return row === null ? undefined : { time: row.time, id: row.id };
    } catch (err) {
      this.log.report(`history: could not read ${key}: ${describe(err)}`);
      return undefined;
    }
  }

  /**
   * Each bound is written as a range on `time` (which the (key, time) index
   * serves) plus an id tie-break.
   */
  range({ key, lower, upper, limit, take }: Span): HistoryEntry[] {
    const where = ["key = ?"];
    const params: (string | number)[] = [key];
    if (lower !== undefined) {
      where.push(`time >= ? AND (time > ? OR id ${lower.inclusive ? ">=" : ">"} ?)`);
      params.push(lower.cut.time, lower.cut.time, lower.cut.id);
    }
    if (upper !== undefined) {
      where.push(`time <= ? AND (time < ? OR id ${upper.inclusive ? "<=" : "<"} ?)`);
      params.push(upper.cut.time, upper.cut.time, upper.cut.id);
    }
    params.push(limit);
    const dir = take === "newest" ? "DESC" : "ASC";
    const sql = `SELECT ${COLS} FROM messages WHERE ${where.join(" AND ")} ORDER BY time ${dir}, id ${dir} LIMIT ?`;
    let rows: MessageRow[];
    try {
      rows = this.stmt(sql).all(...params);
    } catch (err) {
      this.log.report(`history: could not read ${key}: ${describe(err)}`);
      return [];
    }
    if (take === "newest") rows.reverse();
    return rows.map(toEntry);
  }

  privateKeysOf(nick: string): string[] {
    try {
      return this.db
        .query<{ key: string }, [string, string]>(
          "SELECT key FROM private_conversations WHERE a = ? UNION SELECT key FROM private_conversations WHERE b = ?",
        )
        .all(nick, nick)
        .map((r) => r.key);
    } catch (err) {
      this.log.report(`history: could not list conversations: ${describe(err)}`);
      return [];
    }
  }

  /** `db.query` caches by SQL text; the handful of shapes `range` builds stay cached. */
  private stmt(sql: string): Statement<MessageRow, (string | number)[]> {
    return this.db.query<MessageRow, (string | number)[]>(sql);
  }
}
