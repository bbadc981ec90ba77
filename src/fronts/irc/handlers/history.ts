/**
 * History family: IRCv3 CHATHISTORY (https://ircv3.net/specs/extensions/chathistory)
 * and the replay shown on JOIN to clients that do not fetch history themselves.
 * Replies are a `chathistory` batch (`draft/chathistory-targets` for TARGETS)
 * of the stored PRIVMSG/NOTICE lines with their original msgid and time; errors
 * are standard replies (FAIL CHATHISTORY <code> ...).
 */
import {
  type HistoryEntry,
  type HistoryQuery,
  type HistoryRef,
  V_MESSAGE_TAGS,
  V_MULTILINE,
  V_SERVER_TIME,
} from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import type { CommandContext } from "../context.ts";
import { isoTime, messageLines, storedEventLine, tagPrefix } from "../render.ts";
import { fail as standardFail } from "../standard-replies.ts";

/** The codes the chathistory spec gives (UNKNOWN_COMMAND and NEED_MORE_PARAMS are MUSTs). */
type Code =
  | "UNKNOWN_COMMAND"
  | "NEED_MORE_PARAMS"
  | "INVALID_PARAMS"
  | "INVALID_TARGET"
  | "MESSAGE_ERROR";

function fail(ctx: CommandContext, code: Code, context: string[], text: string): void {
  standardFail(ctx.irc, "CHATHISTORY", code, context, text);
}

/** `timestamp=...` or `msgid=...`; undefined when it is neither or the time is malformed. */
export function parseRef(param: string): HistoryRef | undefined {
  if (param.startsWith("msgid=")) {
    const msgid = param.slice(6);
    return msgid === "" ? undefined : { msgid };
  }
  if (param.startsWith("timestamp=")) {
    const raw = param.slice(10);
    // server-time format; Date.parse alone would also take "1" or "May 5".
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/.test(raw))
      return undefined;
    const time = Date.parse(raw);
    return Number.isNaN(time) ? undefined : { time };
  }
  return undefined;
}

function parseLimit(param: string | undefined, max: number): number | undefined {
  if (param === undefined || !/^\d{1,9}$/.test(param)) return undefined;
  const n = Number(param);
  return n > 0 ? Math.min(n, max) : undefined;
}

const ARITY: Record<string, number> = {
  LATEST: 4,
  BEFORE: 4,
  AFTER: 4,
  AROUND: 4,
  BETWEEN: 5,
  TARGETS: 4,
};

function toQuery(sub: string, refs: HistoryRef[]): HistoryQuery | undefined {
  const [a, b] = refs;
  switch (sub) {
    case "LATEST":
      return a === undefined ? { kind: "latest" } : { kind: "latest", after: a };
    case "BEFORE":
    case "AFTER":
    case "AROUND":
      return a === undefined
        ? undefined
        : { kind: sub === "BEFORE" ? "before" : sub === "AFTER" ? "after" : "around", ref: a };
    default:
      return a === undefined || b === undefined ? undefined : { kind: "between", from: a, to: b };
  }
}

// CHATHISTORY LATEST <target> <* | timestamp=... | msgid=...> <limit>
// CHATHISTORY BEFORE|AFTER|AROUND <target> <timestamp=... | msgid=...> <limit>
// CHATHISTORY BETWEEN <target> <timestamp=... | msgid=...> <timestamp=... | msgid=...> <limit>
// CHATHISTORY TARGETS <timestamp=...> <timestamp=...> <limit>
export function chathistory(ctx: CommandContext, msg: IrcMessage): void {
  const p = msg.params;
  const sub = (p[0] ?? "").toUpperCase();
  const want = ARITY[sub];
  if (want === undefined) {
    fail(ctx, "UNKNOWN_COMMAND", [p[0] ?? "*"], "Unknown command");
    return;
  }
  if (p.length < want) {
    fail(ctx, "NEED_MORE_PARAMS", [sub], "Missing parameters");
    return;
  }
  if (p.length > want) {
    fail(ctx, "INVALID_PARAMS", [sub], "Too many parameters");
    return;
  }
  const limit = parseLimit(p[want - 1], ctx.core.server.limits.chathistoryMax);
  if (limit === undefined) {
    fail(ctx, "INVALID_PARAMS", [sub, p[want - 1] ?? "*"], "Invalid limit");
    return;
  }
  if (sub === "TARGETS") {
    targets(ctx, p[1] ?? "", p[2] ?? "", limit);
    return;
  }
  const target = p[1] ?? "";
  const refs: HistoryRef[] = [];
  for (const raw of p.slice(2, want - 1)) {
    if (sub === "LATEST" && raw === "*") continue;
    const ref = parseRef(raw);
    if (ref === undefined) {
      fail(ctx, "INVALID_PARAMS", [sub, raw], "Invalid message reference");
      return;
    }
    refs.push(ref);
  }
  const query = toQuery(sub, refs);
  const answer = query === undefined ? undefined : ctx.core.history(target, query, limit);
  if (answer === undefined) {
    replay(ctx, target, []);
    return;
  }
  if (!answer.ok) {
    const code = answer.reason === "invalid-target" ? "INVALID_TARGET" : "MESSAGE_ERROR";
    fail(ctx, code, [sub, target], answer.message);
    return;
  }
  replay(ctx, answer.target, answer.entries);
}

/** Stored messages as a `chathistory` batch, or framed by notices for a client without batch. */
export function replay(
  ctx: CommandContext,
  channel: string,
  entries: readonly HistoryEntry[],
): void {
  const { core, irc } = ctx;
  const server = core.server.name;
  const variant =
    (core.hasCap("server-time") ? V_SERVER_TIME : 0) |
    (core.hasCap("message-tags") ? V_MESSAGE_TAGS : 0);
  let batch: string | undefined;
  if (core.hasCap("batch")) {
    batch = `h${core.newId().replace(/[^A-Za-z0-9]/g, "")}`;
    irc.raw(`:${server} BATCH +${batch} chathistory ${channel}`);
  } else {
    // Without a batch nothing tells a client these lines are old; a person (or
    // a bot that reads notices) at least sees where the replay starts and ends.
    irc.raw(
      `:${server} NOTICE ${channel} :Replaying the last ${entries.length} messages of ${channel}`,
    );
  }
  // A stored multi-line message replays as it was delivered: one nested
  // draft/multiline batch, or one line per piece.
  const lineVariant =
    variant | (core.hasCap("draft/multiline") && batch !== undefined ? V_MULTILINE : 0);
  for (const e of entries) {
    if (e.command === "PRIVMSG" || e.command === "NOTICE") {
      for (const line of messageLines(lineVariant, e, batch)) irc.raw(line);
      continue;
    }
    const line = storedEventLine(e.text); // draft/event-playback
    if (line === undefined) continue;
    irc.raw(`${tagPrefix(variant, e.time, e.msgid, undefined, batch)}${line}`);
  }
  if (batch !== undefined) irc.raw(`:${server} BATCH -${batch}`);
  else irc.raw(`:${server} NOTICE ${channel} :End of replay; live from here`);
}

function targets(ctx: CommandContext, fromParam: string, toParam: string, limit: number): void {
  const { core, irc } = ctx;
  const from = parseRef(fromParam);
  const to = parseRef(toParam);
  if (from === undefined || !("time" in from)) {
    fail(ctx, "INVALID_PARAMS", ["TARGETS", fromParam], "Invalid timestamp");
    return;
  }
  if (to === undefined || !("time" in to)) {
    fail(ctx, "INVALID_PARAMS", ["TARGETS", toParam], "Invalid timestamp");
    return;
  }
  const rows = core.historyTargets(from.time, to.time, limit);
  const server = core.server.name;
  const useBatch = core.hasCap("batch");
  const batch = `t${core.newId().replace(/[^A-Za-z0-9]/g, "")}`;
  if (useBatch) irc.raw(`:${server} BATCH +${batch} draft/chathistory-targets`);
  const prefix = useBatch ? `@batch=${batch} ` : "";
  for (const row of rows) {
    irc.raw(`${prefix}:${server} CHATHISTORY TARGETS ${row.name} ${isoTime(row.time)}`);
  }
  if (useBatch) irc.raw(`:${server} BATCH -${batch}`);
}
