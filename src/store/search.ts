/**
 * Full-text search rules shared by the stores, so the memory store matches
 * what SQLite's FTS5 index (unicode61 tokenizer, diacritics removed) finds: a
 * message matches when every word of the query, cut into tokens the same way,
 * is among the message's tokens. Pure.
 */
import type { HistoryEntry, SearchQuery } from "./store.ts";

export type { SearchQuery };

/** Letters and digits, lowercased, accents removed: the tokens FTS5's unicode61 makes. */
export function tokens(text: string): string[] {
  return (
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The FTS5 MATCH expression: every token as a quoted string (so no operator syntax leaks in). */
export function ftsQuery(words: string): string | undefined {
  const t = tokens(words);
  return t.length === 0 ? undefined : t.map((w) => `"${w}"`).join(" ");
}

export function matches(
  entry: HistoryEntry,
  q: SearchQuery,
  foldNick: (n: string) => string,
): boolean {
  if (q.after !== undefined && entry.time <= q.after) return false;
  if (q.before !== undefined && entry.time >= q.before) return false;
  if (q.from !== undefined) {
    const bang = entry.source.indexOf("!");
    const nick = bang === -1 ? entry.source : entry.source.slice(0, bang);
    if (foldNick(nick) !== q.from) return false;
  }
  const want = tokens(q.words);
  if (want.length === 0) return false;
  const have = new Set(tokens(entry.text));
  return want.every((w) => have.has(w));
}
