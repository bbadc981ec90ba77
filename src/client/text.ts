/**
 * Small pure helpers for what the client sends: how much text fits in one
 * PRIVMSG, and choosing nicknames (the grammar itself is in src/protocol).
 */

import { foldCase } from "../protocol/casemap.ts";
import { DEFAULT_NICK_LEN, isValidNick, NICK_PATTERN } from "../protocol/text.ts";

/**
 * Bytes left for text in `:nick!user@host PRIVMSG target :text\r\n`. The server
 * adds our prefix when relaying and we cannot know our host, so assume the
 * longest common one (63 bytes for user@host).
 */
export function textBudget(nick: string, target: string, command = "PRIVMSG"): number {
  const overhead = 1 + nick.length + 1 + 63 + 1 + command.length + 1 + target.length + 2 + 2;
  return Math.max(64, 512 - overhead);
}

/** Turn a login name into a valid nick: `john.doe` -> `john_doe`, `1x` -> `u1x`. */
export function sanitizeNick(raw: string): string {
  // A character the nick grammar allows after a first letter is kept; any other becomes "_".
  let n = Array.from(raw, (c) => (NICK_PATTERN.test(`a${c}`) ? c : "_"))
    .join("")
    .slice(0, DEFAULT_NICK_LEN);
  if (n === "" || /^_*$/.test(n)) return "guest";
  if (!NICK_PATTERN.test(n.charAt(0))) n = `u${n}`.slice(0, DEFAULT_NICK_LEN);
  return isValidNick(n) ? n : "guest";
}

/** The nick to try after `attempt` refusals: nick, nick_, nick__, then nick + digits. */
export function fallbackNick(
  base: string,
  attempt: number,
  random: () => number = Math.random,
): string {
  if (attempt === 0) return base;
  if (attempt <= 2) return `${base.slice(0, DEFAULT_NICK_LEN - attempt)}${"_".repeat(attempt)}`;
  const digits = String(Math.floor(random() * 9000) + 1000);
  return `${base.slice(0, DEFAULT_NICK_LEN - digits.length)}${digits}`;
}

/** Whole-word, case-insensitive match of our nick in a message. */
export function mentions(text: string, nick: string): boolean {
  if (nick === "") return false;
  const t = foldCase(text);
  const n = foldCase(nick);
  let i = t.indexOf(n);
  while (i !== -1) {
    const before = i === 0 ? "" : t.charAt(i - 1);
    const after = t.charAt(i + n.length);
    // Brackets count as punctuation here: "[alice]" mentions alice far more often than it names "[alice]".
    const isWord = (c: string): boolean => /[a-z0-9_\-\\`^|]/.test(c);
    if (!isWord(before) && !isWord(after)) return true;
    i = t.indexOf(n, i + 1);
  }
  return false;
}
