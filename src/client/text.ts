/**
 * Small pure helpers for what the client sends: splitting long text so each
 * PRIVMSG fits IRC's 512-byte line, and choosing nicknames.
 */
import { NICK_PATTERN } from "../commands/join.ts";

const encoder = new TextEncoder();
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Bytes left for text in `:nick!user@host PRIVMSG target :text\r\n`. The server
 * adds our prefix when relaying and we cannot know our host, so assume the
 * longest common one (63 bytes for user@host).
 */
export function textBudget(nick: string, target: string, command = "PRIVMSG"): number {
  const overhead = 1 + nick.length + 1 + 63 + 1 + command.length + 1 + target.length + 2 + 2;
  return Math.max(64, 512 - overhead);
}

/** Split into pieces of at most maxBytes UTF-8 bytes, at spaces when possible, never inside a character. */
export function splitText(text: string, maxBytes: number): string[] {
  if (encoder.encode(text).length <= maxBytes) return [text];
  const out: string[] = [];
  let line = "";
  let bytes = 0;
  let lastSpace = -1;
  for (const { segment } of segmenter.segment(text)) {
    const n = encoder.encode(segment).length;
    if (bytes + n > maxBytes && line !== "") {
      if (lastSpace > 0 && segment !== " ") {
        out.push(line.slice(0, lastSpace).trimEnd());
        line = line.slice(lastSpace);
      } else {
        out.push(line.trimEnd());
        line = "";
      }
      if (segment === " " && line === "") continue;
      bytes = encoder.encode(line).length;
      lastSpace = -1;
    }
    line += segment;
    bytes += n;
    if (segment === " ") lastSpace = line.length;
  }
  if (line.trim() !== "") out.push(line);
  return out.filter((l) => l !== "");
}

/** Turn a login name into a valid nick: `john.doe` -> `john_doe`, `1x` -> `u1x`. */
export function sanitizeNick(raw: string): string {
  let n = raw.replace(/[^A-Za-z0-9[\]\\`_^{|}-]/g, "_").slice(0, 30);
  if (n === "" || /^_*$/.test(n)) return "guest";
  if (!/^[A-Za-z[\]\\`_^{|}]/.test(n)) n = `u${n}`.slice(0, 30);
  return NICK_PATTERN.test(n) ? n : "guest";
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
