/**
 * Bus events as IRC lines. The bytes depend only on the event and the variant
 * (server-time, message-tags), so the core shares them among every recipient
 * with the same variant.
 */

import type { BusEvent } from "../../core/api.ts";
import {
  V_ACCOUNT_TAG,
  V_EXTENDED_JOIN,
  V_MESSAGE_TAGS,
  V_MULTILINE,
  V_SERVER_TIME,
} from "../../core/api.ts";
import { escapeTagValue } from "../../protocol/message.ts";
import { byteLength, clipBytes } from "../../protocol/text.ts";

const encoder = new TextEncoder();
const BOT_TAG: [string, string] = ["bot", ""];

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A middle parameter must be non-empty, without spaces, and not start with ':'. */
export function middle(p: string): string {
  if (p === "") return "*";
  let out = p.includes(" ") ? p.replaceAll(" ", "_") : p;
  if (out.charCodeAt(0) === 58) out = `_${out.slice(1)}`;
  return out;
}

/** The last parameter, with a colon only where IRC needs one. */
export function trailing(p: string): string {
  return p === "" || p.includes(" ") || p.charCodeAt(0) === 58 ? ` :${p}` : ` ${p}`;
}

/** Tags for a line: `time` for server-time, `msgid` and client tags for message-tags. */
export function tagPrefix(
  variant: number,
  time: number,
  msgid?: string,
  clientTags?: readonly [string, string][],
  batch?: string,
  account?: string,
): string {
  const parts: string[] = [];
  if (batch !== undefined) parts.push(`batch=${batch}`);
  if (variant & V_SERVER_TIME) parts.push(`time=${isoTime(time)}`);
  if (account !== undefined && variant & V_ACCOUNT_TAG) parts.push(`account=${account}`);
  if (variant & V_MESSAGE_TAGS) {
    if (msgid !== undefined) parts.push(`msgid=${msgid}`);
    if (clientTags !== undefined) {
      for (const [k, v] of clientTags) parts.push(v === "" ? k : `${k}=${escapeTagValue(v)}`);
    }
  }
  return parts.length === 0 ? "" : `@${parts.join(";")} `;
}

function eventLine(ev: BusEvent, variant: number): string {
  switch (ev.type) {
    case "message":
      return `:${ev.source} ${ev.command} ${ev.target} :${ev.text}`;
    case "tagmsg":
      return `:${ev.source} TAGMSG ${ev.target}`;
    case "rename":
      return `:${ev.source} RENAME ${ev.from} ${ev.channel} :${ev.reason}`;
    case "redact":
      return ev.reason === undefined
        ? `:${ev.source} REDACT ${ev.target} ${ev.redacted}`
        : `:${ev.source} REDACT ${ev.target} ${ev.redacted} :${ev.reason}`;
    case "join":
      // extended-join: the account ("*" for none) and the real name.
      return variant & V_EXTENDED_JOIN
        ? `:${ev.source} JOIN ${ev.channel} ${ev.account ?? "*"} :${ev.realname}`
        : `:${ev.source} JOIN ${ev.channel}`;
    case "part":
      return ev.reason === undefined
        ? `:${ev.source} PART ${ev.channel}`
        : `:${ev.source} PART ${ev.channel} :${ev.reason}`;
    case "kick":
      return `:${ev.source} KICK ${ev.channel} ${ev.victim} :${ev.reason}`;
    case "topic":
      return `:${ev.source} TOPIC ${ev.channel} :${ev.text}`;
    case "mode": {
      const last = ev.modes.length - 1;
      const params = ev.modes.map((m, i) => (i === last ? trailing(m) : ` ${middle(m)}`));
      return `:${ev.source} MODE ${ev.channel}${params.join("")}`;
    }
    case "invite":
      return `:${ev.source} INVITE ${ev.invitee} ${ev.channel}`;
    case "quit":
      return `:${ev.source} QUIT :${ev.text}`;
    case "nick":
      return `:${ev.source} NICK ${ev.text}`;
    case "away":
      return ev.text === "" ? `:${ev.source} AWAY` : `:${ev.source} AWAY :${ev.text}`;
    case "setname":
      return `:${ev.source} SETNAME :${ev.text}`;
    case "wallops":
      return `:${ev.source} WALLOPS :${ev.text}`;
    case "account":
      return `:${ev.source} ACCOUNT ${ev.text === "" ? "*" : ev.text}`;
  }
}

/**
 * A stored playback event (core/playback.ts: the event as JSON) as the line
 * its room saw live, without tags; undefined for a row that is not one.
 */
export function storedEventLine(json: string): string | undefined {
  let ev: unknown;
  try {
    ev = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof ev !== "object" || ev === null || !("type" in ev) || !("source" in ev)) return;
  if (typeof ev.type !== "string" || !PLAYBACK_TYPES.has(ev.type)) return undefined;
  // Played back in its plain form: stored events keep no account for extended-join.
  return eventLine(ev as BusEvent, 0);
}

const PLAYBACK_TYPES: ReadonlySet<string> = new Set([
  "join",
  "part",
  "kick",
  "topic",
  "mode",
  "quit",
  "nick",
]);

/** A PRIVMSG or NOTICE to render: a live event or a stored history entry. */
export interface MessageParts {
  source: string;
  command: string;
  target: string;
  text: string;
  time: number;
  msgid: string;
  clientTags?: readonly [string, string][];
  /** The sender's owned nick (account-tag), live messages only. */
  account?: string;
}

/** Bytes of one line, CR LF included, that every client accepts. */
const LINE_LIMIT = 512;

/**
 * A message as IRC lines. One line when it fits; a multi-line one (line feeds,
 * or longer than a line) as a draft/multiline BATCH for clients with the cap
 * (continuation pieces tagged draft/multiline-concat), else one line per piece
 * with the msgid on the first and blank lines left out, as the spec requires.
 * `outer` nests the lines in an enclosing batch (a chathistory replay).
 */
export function messageLines(variant: number, m: MessageParts, outer?: string): string[] {
  const head = `:${m.source} ${m.command} ${m.target} :`;
  const budget = Math.max(LINE_LIMIT - 2 - byteLength(head), 16);
  if (!m.text.includes("\n") && byteLength(m.text) <= budget)
    return [
      `${tagPrefix(variant, m.time, m.msgid, m.clientTags, outer, m.account)}${head}${m.text}`,
    ];
  const pieces: { text: string; concat: boolean }[] = [];
  for (const line of m.text.split("\n")) {
    let rest = line;
    let concat = false;
    do {
      const piece = clipBytes(rest, budget);
      pieces.push({ text: piece, concat });
      rest = rest.slice(piece.length);
      concat = true;
    } while (rest !== "");
  }
  const out: string[] = [];
  if (variant & V_MULTILINE) {
    const ref = `ml${m.msgid.replace(/[^A-Za-z0-9]/g, "")}`;
    const tags = tagPrefix(variant, m.time, m.msgid, m.clientTags, outer, m.account);
    out.push(`${tags}:${m.source} BATCH +${ref} draft/multiline ${m.target}`);
    for (const p of pieces)
      out.push(`@batch=${ref}${p.concat ? ";draft/multiline-concat" : ""} ${head}${p.text}`);
    out.push(`${outer === undefined ? "" : `@batch=${outer} `}:${m.source} BATCH -${ref}`);
    return out;
  }
  let first = true;
  for (const p of pieces) {
    if (p.text === "") continue;
    const tags = first
      ? tagPrefix(variant, m.time, m.msgid, m.clientTags, outer, m.account)
      : tagPrefix(variant, m.time, undefined, undefined, outer, m.account);
    out.push(`${tags}${head}${p.text}`);
    first = false;
  }
  return out;
}

export function renderEvent(ev: BusEvent, variant: number): Uint8Array {
  if (ev.type === "message" && ev.multiline === true) {
    const m = ev.bot === true ? { ...ev, clientTags: [BOT_TAG, ...(ev.clientTags ?? [])] } : ev;
    return encoder.encode(`${messageLines(variant, m).join("\r\n")}\r\n`);
  }
  // message-ids: every event carries its msgid; only messages carry client tags.
  let tags: string;
  if (ev.type === "message" || ev.type === "tagmsg") {
    // A bot's messages carry the `bot` tag (IRCv3 bot mode), before its client tags.
    const clientTags = ev.bot === true ? [BOT_TAG, ...(ev.clientTags ?? [])] : ev.clientTags;
    tags = tagPrefix(variant, ev.time, ev.msgid, clientTags, undefined, ev.account);
  } else {
    tags = tagPrefix(variant, ev.time, ev.msgid, undefined, undefined, ev.account);
  }
  return encoder.encode(`${tags}${eventLine(ev, variant)}\r\n`);
}
