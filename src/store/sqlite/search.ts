/**
 * SEARCH over the messages_fts index (migration 3): matches among the given
 * conversations (and a nick's private ones), the newest first in SQL, given
 * back oldest first. A failed read is reported and answers nothing.
 */
import type { Database } from "bun:sqlite";
import { ftsQuery, type SearchQuery } from "../search.ts";
import type { HistoryEntry } from "../store.ts";
import { describe, type ErrorLog } from "./log.ts";
import { COLS, type MessageRow, toEntry } from "./reads.ts";

const QUALIFIED = COLS.split(", ")
  .map((c) => `m.${c}`)
  .join(", ");

/** `nick!` as a LIKE pattern (ASCII case-insensitive), with LIKE's wildcards escaped. */
function sourcePattern(nick: string): string {
  return `${nick.replace(/[\\%_]/g, (c) => `\\${c}`)}!%`;
}

export class SqliteSearch {
  constructor(
    private readonly db: Database,
    private readonly log: ErrorLog,
  ) {}

  search(keys: readonly string[], q: SearchQuery, nick?: string): HistoryEntry[] {
    const match = ftsQuery(q.words);
    if (match === undefined) return [];
    const where = ["messages_fts MATCH ?"];
    const params: (string | number)[] = [match];
    const scope = ["m.key IN (SELECT value FROM json_each(?))"];
    params.push(JSON.stringify(keys));
    if (nick !== undefined) {
      scope.push("m.key IN (SELECT key FROM private_conversations WHERE a = ? OR b = ?)");
      params.push(nick, nick);
    }
    where.push(`(${scope.join(" OR ")})`);
    if (q.from !== undefined) {
      where.push("m.source LIKE ? ESCAPE '\\'");
      params.push(sourcePattern(q.from));
    }
    if (q.after !== undefined) {
      where.push("m.time > ?");
      params.push(q.after);
    }
    if (q.before !== undefined) {
      where.push("m.time < ?");
      params.push(q.before);
    }
    params.push(q.limit);
    const sql = `SELECT ${QUALIFIED} FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid WHERE ${where.join(" AND ")} ORDER BY m.time DESC, m.id DESC LIMIT ?`;
    try {
      const rows = this.db.query<MessageRow, (string | number)[]>(sql).all(...params);
      return rows.reverse().map(toEntry);
    } catch (err) {
      this.log.report(`history: search failed: ${describe(err)}`);
      return [];
    }
  }
}
