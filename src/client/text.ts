/**
 * Small pure helpers for what the client sends: splitting long text so each
 * PRIVMSG fits IRC's 512-byte line, and choosing nicknames.
 */
import { isValidNick } from "../protocol/text.ts";

export { splitText } from "../protocol/text.ts";

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
  let n = raw.replace(/[^A-Za-z0-9[\]\\`_^{|}-]/g, "_").slice(0, 30);
  if (n === "" || /^_*$/.test(n)) return "guest";
  if (!/^[A-Za-z[\]\\`_^{|}]/.test(n)) n = `u${n}`.slice(0, 30);
  return isValidNick(n) ? n : "guest";
}

/** The nick to try after `attempt` refusals: nick, nick_, nick__, then nick + digits. */
export function fallbackNick(
  base: string,
  attempt: number,
  random: () => number = Math.random,
): string {
  if (attempt === 0) return base;
  if (attempt <= 2) return `${base.slice(0, 30 - attempt)}${"_".repeat(attempt)}`;
  const digits = String(Math.floor(random() * 9000) + 1000);
  return `${base.slice(0, 26)}${digits}`;
}
