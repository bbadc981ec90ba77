/**
 * History family: IRCv3 CHATHISTORY (https://ircv3.net/specs/extensions/chathistory).
 * Replies are a `chathistory` batch (`draft/chathistory-targets` for TARGETS)
 * of the stored PRIVMSG/NOTICE lines with their original msgid and time; errors
 * are standard replies (FAIL CHATHISTORY <code> ...).
 */
import { foldCase } from "../../protocol/casemap.ts";
import type { IrcMessage } from "../../protocol/message.ts";
import { privateEntryVisible } from "../../security/privacy.ts";
import {
  type HistoryEntry,
  type HistoryRef,
  type HistoryTarget,
  isPrivateKey,
  privateKey,
} from "../../store/store.ts";
import type { CommandContext } from "../irc-front.ts";
import { isoTime } from "../irc-front.ts";

/** Most messages (or targets) one CHATHISTORY command returns; ISUPPORT CHATHISTORY=. */
export const CHATHISTORY_MAX = 100;

/** ISUPPORT tokens this family adds. */
export const HISTORY_ISUPPORT: readonly string[] = [
  `CHATHISTORY=${CHATHISTORY_MAX}`,
  "MSGREFTYPES=timestamp,msgid",
];

/** The reference "the end of time", so LATEST <ref> can ask for the newest after ref. */
const END_OF_TIME: HistoryRef = { time: Number.MAX_SAFE_INTEGER };

type Code = "INVALID_PARAMS" | "INVALID_TARGET" | "MESSAGE_ERROR";

function fail(ctx: CommandContext, code: Code, context: string[], text: string): void {
  ctx.irc.msg("FAIL", ["CHATHISTORY", code, ...context, text]);
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

function parseLimit(param: string | undefined): number | undefined {
  if (param === undefined || !/^\d{1,9}$/.test(param)) return undefined;
  const n = Number(param);
  return n > 0 ? Math.min(n, CHATHISTORY_MAX) : undefined;
}

/**
 * The conversation key a user may read for `target`, or undefined when the
 * target does not exist for them. A channel's history is open to its members
 * and, for a channel anyone could join (no +i, no key, not banned), to anyone;
 * a private conversation only to its two participants, which holds by
 * construction: the key is made from the asker's own nick.
 */
function keyFor(ctx: CommandContext, target: string): string | undefined {
  const { server, session: s } = ctx;
  if (s.folded === undefined) return undefined;
  if (target.startsWith("#")) {
    const folded = foldCase(target);
    if (s.joined.has(folded)) return folded;
    const ch = server.getChannel(target);
    if (ch === undefined) return undefined;
    if (ch.flags.has("i") || ch.key !== undefined || server.isBanned(ch, s)) return undefined;
    return folded;
  }
  if (!server.validNick(target)) return undefined;
  return privateKey(s.folded, foldCase(target));
}

// CHATHISTORY LATEST <target> <* | timestamp=... | msgid=...> <limit>
// CHATHISTORY BEFORE|AFTER|AROUND <target> <timestamp=... | msgid=...> <limit>
// CHATHISTORY BETWEEN <target> <timestamp=... | msgid=...> <timestamp=... | msgid=...> <limit>
// CHATHISTORY TARGETS <timestamp=...> <timestamp=...> <limit>
export function chathistory(ctx: CommandContext, msg: IrcMessage): void {
  const p = msg.params;
  const sub = (p[0] ?? "").toUpperCase();
  const expected: Record<string, number> = {
    LATEST: 4,
    BEFORE: 4,
    AFTER: 4,
    AROUND: 4,
    BETWEEN: 5,
    TARGETS: 4,
  };
  const want = expected[sub];
  if (want === undefined) {
    fail(ctx, "INVALID_PARAMS", [p[0] ?? "*"], "Unknown command");
    return;
  }
  if (p.length < want) {
    fail(ctx, "INVALID_PARAMS", [sub], "Insufficient parameters");
    return;
  }
  if (p.length > want) {
    fail(ctx, "INVALID_PARAMS", [sub], "Too many parameters");
    return;
  }
  const limit = parseLimit(p[want - 1]);
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
  const key = keyFor(ctx, target);
  if (key === undefined) {
    fail(ctx, "INVALID_TARGET", [sub, target], "Messages could not be retrieved");
    return;
  }

  const store = ctx.server.store;
  const [a, b] = refs;
  let entries: HistoryEntry[];
  try {
    switch (sub) {
      case "LATEST":
        entries =
          a === undefined ? store.latest(key, limit) : store.between(key, END_OF_TIME, a, limit);
        break;
      case "BEFORE":
        entries = a === undefined ? [] : store.before(key, a, limit);
        break;
      case "AFTER":
        entries = a === undefined ? [] : store.after(key, a, limit);
        break;
      case "AROUND":
        entries = a === undefined ? [] : store.around(key, a, limit);
        break;
      default:
        entries = a === undefined || b === undefined ? [] : store.between(key, a, b, limit);
    }
  } catch (err) {
    fail(
      ctx,
      "MESSAGE_ERROR",
      [sub, target],
      `Messages could not be retrieved: ${err instanceof Error ? err.message : String(err)}`,
    );
    return;
  }
  if (isPrivateKey(key)) {
    // Only what was said to this session's current nick since it took it (security/privacy.ts).
    entries = entries.filter((e) => privateEntryVisible(ctx.session, e));
  }
  // The batch names the target canonically: the room's or the user's own
  // spelling when we know them, else as the client asked.
  const shown = target.startsWith("#")
    ? (ctx.server.getChannel(target)?.name ?? target)
    : (ctx.server.nicks.get(foldCase(target))?.nick ?? target);
  ctx.irc.replay(shown, entries);
}

/** The other side of a private conversation, as last seen in its latest message. */
function otherParty(row: HistoryTarget, selfFolded: string): string {
  const sourceNick = row.source.split("!")[0] ?? row.source;
  return foldCase(sourceNick) === selfFolded ? row.target : sourceNick;
}

function targets(ctx: CommandContext, fromParam: string, toParam: string, limit: number): void {
  const { server, session: s, irc } = ctx;
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
  const self = s.folded ?? "";
  const rows = server.store.targets([...s.joined.keys()], from.time, to.time, limit, self);
  const useBatch = s.hasCap("batch");
  const batch = `t${server.newMsgid().replace(/[^A-Za-z0-9]/g, "")}`;
  if (useBatch) irc.raw(`:${server.serverName} BATCH +${batch} draft/chathistory-targets`);
  const prefix = useBatch ? `@batch=${batch} ` : "";
  for (const row of rows) {
    if (isPrivateKey(row.key) && !privateEntryVisible(s, row)) continue;
    const name = isPrivateKey(row.key)
      ? otherParty(row, self)
      : (server.getChannel(row.key)?.name ?? row.target);
    irc.raw(`${prefix}:${server.serverName} CHATHISTORY TARGETS ${name} ${isoTime(row.time)}`);
  }
  if (useBatch) irc.raw(`:${server.serverName} BATCH -${batch}`);
}
