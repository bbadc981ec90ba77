/**
 * SEARCH, with the soju.im/search extension's syntax, so other clients can
 * use it too: `SEARCH <key=value;...>` with `text`, `in`, `from`, `after`,
 * `before` (server-time timestamps) and `limit`. Results are a
 * `soju.im/search` batch of the stored messages with their msgid and time,
 * oldest first; errors are standard replies (FAIL SEARCH ...). The core reads
 * under the same visibility rule as CHATHISTORY.
 */
import {
  type SearchRequest,
  V_MESSAGE_TAGS,
  V_MULTILINE,
  V_SERVER_TIME,
} from "../../../core/api.ts";
import { type IrcMessage, unescapeTagValue } from "../../../protocol/message.ts";
import type { CommandContext } from "../context.ts";
import { messageLines } from "../render.ts";
import { parseRef } from "./history.ts";

const DEFAULT_LIMIT = 100;

function fail(ctx: CommandContext, code: string, context: string[], text: string): void {
  ctx.irc.msg("FAIL", ["SEARCH", code, ...context, text]);
}

/** `key=value;...` (values escaped as tag values) -> the request, or the attribute that is wrong. */
export function parseSearch(
  raw: string,
  max: number,
): { ok: true; req: SearchRequest } | { ok: false; bad: string; why: string } {
  const req: SearchRequest = { words: "", limit: Math.min(DEFAULT_LIMIT, max) };
  for (const item of raw.split(";")) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    const key = eq === -1 ? item : item.slice(0, eq);
    const value = eq === -1 ? "" : unescapeTagValue(item.slice(eq + 1));
    switch (key) {
      case "text":
        req.words = value;
        break;
      case "in":
        if (value === "") return { ok: false, bad: key, why: "Invalid target" };
        req.target = value;
        break;
      case "from":
        if (value === "") return { ok: false, bad: key, why: "Invalid nick" };
        req.from = value;
        break;
      case "after":
      case "before": {
        const ref = parseRef(`timestamp=${value}`);
        if (ref === undefined || !("time" in ref))
          return { ok: false, bad: key, why: "Invalid timestamp" };
        req[key] = ref.time;
        break;
      }
      case "limit": {
        if (!/^\d{1,9}$/.test(value) || Number(value) === 0)
          return { ok: false, bad: key, why: "Invalid limit" };
        req.limit = Math.min(Number(value), max);
        break;
      }
      default:
        return { ok: false, bad: key, why: "Unknown search attribute" };
    }
  }
  if (req.words.trim() === "") return { ok: false, bad: "text", why: "Nothing to search for" };
  return { ok: true, req };
}

// SEARCH <attribute>=<value>[;<attribute>=<value>...]
export function search(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const raw = msg.params[0];
  if (raw === undefined || raw === "") {
    fail(ctx, "NEED_MORE_PARAMS", [], "Missing search attributes");
    return;
  }
  const parsed = parseSearch(raw, core.server.limits.chathistoryMax);
  if (!parsed.ok) {
    fail(ctx, "INVALID_PARAMS", [parsed.bad], parsed.why);
    return;
  }
  const answer = core.search(parsed.req);
  if (!answer.ok) {
    fail(ctx, "INVALID_PARAMS", ["in"], answer.message);
    return;
  }
  const server = core.server.name;
  const useBatch = core.hasCap("batch");
  const ref = useBatch ? `s${core.newId().replace(/[^A-Za-z0-9]/g, "")}` : undefined;
  const variant =
    (core.hasCap("server-time") ? V_SERVER_TIME : 0) |
    (core.hasCap("message-tags") ? V_MESSAGE_TAGS : 0) |
    (useBatch && core.hasCap("draft/multiline") ? V_MULTILINE : 0);
  if (ref !== undefined) irc.raw(`:${server} BATCH +${ref} soju.im/search`);
  for (const e of answer.entries) for (const line of messageLines(variant, e, ref)) irc.raw(line);
  if (ref !== undefined) irc.raw(`:${server} BATCH -${ref}`);
}
