/**
 * Bus events as IRC lines. The bytes depend only on the event and the variant
 * (server-time, message-tags), so the core shares them among every recipient
 * with the same variant.
 */

import type { BusEvent } from "../../core/api.ts";
import { V_ACCOUNT_TAG, V_EXTENDED_JOIN, V_MESSAGE_TAGS, V_SERVER_TIME } from "../../core/api.ts";
import { escapeTagValue } from "../../protocol/message.ts";

const encoder = new TextEncoder();

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
function trailing(p: string): string {
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
    case "account":
      return `:${ev.source} ACCOUNT ${ev.text === "" ? "*" : ev.text}`;
  }
}

export function renderEvent(ev: BusEvent, variant: number): Uint8Array {
  const tags =
    ev.type === "message" || ev.type === "tagmsg"
      ? tagPrefix(variant, ev.time, ev.msgid, ev.clientTags, undefined, ev.account)
      : tagPrefix(variant, ev.time, undefined, undefined, undefined, ev.account);
  return encoder.encode(`${tags}${eventLine(ev, variant)}\r\n`);
}
