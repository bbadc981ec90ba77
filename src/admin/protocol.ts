/**
 * The admin socket's protocol: one JSON object a line each way. A request is
 * `{"cmd": "rooms"}`, `{"cmd": "users"}`,
 * `{"cmd": "kick", "room": "#r", "nick": "bob", "reason": "..."}`,
 * `{"cmd": "ban", "pattern": "bob!*@*" | "203.0.113.0/24", "reason": "...", "minutes": 60}`
 * or `{"cmd": "unban", "pattern": "..."}`; the answer is `{"ok": true, "result": ...}`
 * or `{"ok": false, "error": "one line a host can act on"}`. One table of
 * commands; a bad request is answered, never fatal to the connection.
 */
import { adminBan, adminKick, adminRooms, adminUnban, adminUsers } from "../core/actions/admin.ts";
import { ChatError } from "../core/errors.ts";
import type { CoreParts } from "../core/parts.ts";
import {
  type BanKind,
  coversEveryAddress,
  isIpPattern,
  MAX_BAN_MINUTES,
  normalizeMask,
} from "../security/bans.ts";

export type AdminReply = { ok: true; result: unknown } | { ok: false; error: string };

type Fields = Record<string, unknown>;

/** A request that cannot be carried out as asked; its message is the answer. */
class BadRequest extends Error {}

function text(f: Fields, key: string, required: boolean): string | undefined {
  const v = f[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v.trim() === "") {
    throw new BadRequest(`"${key}" must be a non-empty string`);
  }
  return v.trim();
}

/** A D-line for an address or range, a K-line for anything else (a nick or mask). */
function banTarget(raw: string): { kind: BanKind; pattern: string } {
  if (isIpPattern(raw)) {
    if (coversEveryAddress(raw)) {
      throw new BadRequest(`refusing to ban every address (${raw})`);
    }
    return { kind: "ip", pattern: raw };
  }
  // A K-line on "bad guy" would be kept and listed and match nobody.
  if (/\s/.test(raw))
    throw new BadRequest(`${raw} is not a ban pattern: a nick or mask has no spaces`);
  // No nick, user or host holds a "/": this was meant as a range, and a bad one.
  if (raw.includes("/") && !raw.includes("@") && !raw.includes("!")) {
    throw new BadRequest(
      `${raw} is not an IP address or range such as 203.0.113.7 or 203.0.113.0/24 (at most /32, or /128 for IPv6)`,
    );
  }
  const pattern = normalizeMask(raw);
  if (pattern === "*!*@*") throw new BadRequest("refusing to ban everyone (*!*@*)");
  return { kind: "mask", pattern };
}

const COMMANDS: Record<string, (c: CoreParts, f: Fields) => unknown> = {
  rooms: (c) => adminRooms(c),
  users: (c) => adminUsers(c),
  kick(c, f) {
    const room = text(f, "room", true) as string;
    const nick = text(f, "nick", true) as string;
    const kicked = adminKick(c, room, nick, text(f, "reason", false) ?? "Kicked by the host");
    return { room, nick: kicked };
  },
  ban(c, f) {
    const { kind, pattern } = banTarget(text(f, "pattern", true) as string);
    const minutes = f.minutes;
    if (
      minutes !== undefined &&
      (typeof minutes !== "number" ||
        !Number.isInteger(minutes) ||
        minutes < 1 ||
        minutes > MAX_BAN_MINUTES)
    ) {
      throw new BadRequest(`"minutes" must be a whole number from 1 to ${MAX_BAN_MINUTES}`);
    }
    const reason = text(f, "reason", false) ?? "banned";
    const ms = minutes === undefined ? undefined : minutes * 60_000;
    const done = adminBan(c, kind, pattern, reason, ms);
    return { kind: kind === "ip" ? "dline" : "kline", ...done, ...(ms ? { minutes } : {}) };
  },
  unban(c, f) {
    const { kind, pattern } = banTarget(text(f, "pattern", true) as string);
    const lifted = adminUnban(c, kind, pattern);
    if (lifted === undefined) throw new BadRequest(`no server ban on ${pattern}`);
    return { kind: kind === "ip" ? "dline" : "kline", pattern: lifted };
  },
};

export const ADMIN_COMMANDS: readonly string[] = Object.keys(COMMANDS);

/** Answer one request line. Never throws. */
export function answer(c: CoreParts, line: string): AdminReply {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON: send one object a line, e.g. {"cmd":"rooms"}' };
  }
  if (typeof req !== "object" || req === null || Array.isArray(req)) {
    return { ok: false, error: 'a request is a JSON object, e.g. {"cmd":"rooms"}' };
  }
  const fields = req as Fields;
  const run = typeof fields.cmd === "string" ? COMMANDS[fields.cmd] : undefined;
  if (run === undefined) {
    return { ok: false, error: `unknown "cmd"; one of: ${ADMIN_COMMANDS.join(", ")}` };
  }
  try {
    return { ok: true, result: run(c, fields) };
  } catch (err) {
    if (err instanceof BadRequest) return { ok: false, error: err.message };
    if (err instanceof ChatError) return { ok: false, error: describe(err) };
    // A bug must not take the server down through its admin socket.
    return { ok: false, error: `internal error: ${err instanceof Error ? err.message : err}` };
  }
}

/** A core refusal in words for the host (the IRC texts are terse). */
function describe(err: ChatError): string {
  const [a = "", b = ""] = err.subject;
  switch (err.code) {
    case "noSuchChannel":
      return `no such room: ${a}`;
    case "userNotInChannel":
      return `${a} is not in ${b}`;
    default:
      return err.subject.length > 0 ? `${err.subject.join(" ")}: ${err.message}` : err.message;
  }
}
