/**
 * IRCv3 standard replies (FAIL, WARN, NOTE) as lines:
 * `:server FAIL <command> <code> [<context>...] :<description>`.
 * One small renderer so every command that needs one (UTF8ONLY today) writes
 * the same shape; the standard-replies capability work reuses it.
 */
import { middle } from "./render.ts";

export type StandardReplyKind = "FAIL" | "WARN" | "NOTE";

export function standardReply(
  server: string,
  kind: StandardReplyKind,
  command: string,
  code: string,
  context: readonly string[],
  description: string,
): string {
  const ctx = context.map((c) => ` ${middle(c)}`).join("");
  return `:${server} ${kind} ${middle(command)} ${code}${ctx} :${description}`;
}
