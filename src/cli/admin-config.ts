/**
 * `chat admin ACTION ...` flags and the pure check that turns them into one
 * AdminConfig. backup and export read the database file; the other actions
 * talk to the running server through its admin socket.
 */
import { adminSocketPath } from "../admin/paths.ts";
import { foldCase } from "../protocol/casemap.ts";
import { MAX_BAN_MINUTES } from "../security/bans.ts";
import { defaultDbPath } from "../store/open.ts";
import { lastString, parsePositiveInt, type RawArgs, roomToChannel } from "./options.ts";
import { UsageError } from "./usage-error.ts";

export const adminArgs = {
  action: {
    type: "positional",
    required: false,
    description:
      "backup FILE | export --room NAME | rooms | users | kick ROOM NICK | ban PATTERN | unban PATTERN",
  },
  target: { type: "positional", required: false, description: "FILE, ROOM or PATTERN" },
  nick: { type: "positional", required: false, description: "NICK (kick)" },
  db: {
    type: "string",
    description: "The server's history file (default: $XDG_DATA_HOME/chat/chat.db)",
  },
  socket: {
    type: "string",
    description: "The server's admin socket (default: beside the --db file, chat.db -> chat.sock)",
  },
  room: { type: "string", description: "export: the room whose history to write" },
  format: {
    type: "string",
    description: "export: json (one object a line) or text",
    default: "text",
  },
  since: { type: "string", description: "export: only messages from this date or time (ISO 8601)" },
  reason: { type: "string", description: "kick, ban: the reason shown" },
  minutes: { type: "string", description: "ban: lift it by itself after this many minutes" },
  json: { type: "boolean", description: "rooms, users: print the server's JSON answer" },
} as const;

export type AdminConfig =
  | { action: "backup"; db: string; file: string }
  | {
      action: "export";
      db: string;
      room: string;
      key: string;
      format: "json" | "text";
      since: number;
    }
  | { action: "rooms" | "users"; socket: string; json: boolean }
  | { action: "kick"; socket: string; room: string; nick: string; reason?: string }
  | { action: "ban"; socket: string; pattern: string; reason?: string; minutes?: number }
  | { action: "unban"; socket: string; pattern: string };

const ACTIONS = "backup, export, rooms, users, kick, ban, unban";

function need(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`missing ${what}`);
  return value;
}

/** A date or date-time, as ms since the epoch. */
export function parseSince(raw: string): number {
  const t = /^\d{4}-\d\d-\d\d/.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
  if (Number.isNaN(t)) {
    throw new UsageError(
      `--since must be a date or time such as 2026-12-01 or 2026-12-01T09:30:00Z, not ${JSON.stringify(raw)}`,
    );
  }
  return t;
}

export function toAdminConfig(args: RawArgs): AdminConfig {
  const action = lastString(args.action);
  const target = lastString(args.target);
  const extra = lastString(args.nick);
  const dbFlag = lastString(args.db);
  const db = dbFlag ?? defaultDbPath();
  if (db === ":memory:")
    throw new UsageError("--db :memory: keeps nothing to back up, export or reach");
  const socket = (): string => lastString(args.socket) ?? (adminSocketPath(db) as string);
  const reason = lastString(args.reason);
  const withReason = <T extends object>(o: T): T & { reason?: string } =>
    reason === undefined ? o : { ...o, reason };
  const noExtra = (): void => {
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  };
  switch (action) {
    case "backup":
      noExtra();
      return { action, db, file: need(target, "the backup FILE: chat admin backup FILE") };
    case "export": {
      if (target !== undefined)
        throw new UsageError(`unexpected argument ${JSON.stringify(target)}; use --room NAME`);
      const room = roomToChannel(need(lastString(args.room), "--room NAME"));
      const format = lastString(args.format) ?? "text";
      if (format !== "json" && format !== "text") {
        throw new UsageError(`--format must be json or text, not ${JSON.stringify(format)}`);
      }
      const sinceRaw = lastString(args.since);
      return {
        action,
        db,
        room,
        key: foldCase(room),
        format,
        since: sinceRaw === undefined ? 0 : parseSince(sinceRaw),
      };
    }
    case "rooms":
    case "users":
      if (target !== undefined)
        throw new UsageError(`unexpected argument ${JSON.stringify(target)}`);
      return { action, socket: socket(), json: args.json === true };
    case "kick":
      return withReason({
        action,
        socket: socket(),
        room: roomToChannel(need(target, "the ROOM: chat admin kick ROOM NICK")),
        nick: need(extra, "the NICK: chat admin kick ROOM NICK"),
      });
    case "ban": {
      noExtra();
      const minutesRaw = lastString(args.minutes);
      const out = withReason({
        action,
        socket: socket(),
        pattern: need(target, "the PATTERN: chat admin ban NICK|MASK|IP[/BITS]"),
      });
      if (minutesRaw === undefined) return out;
      const minutes = parsePositiveInt(minutesRaw, "--minutes");
      if (minutes > MAX_BAN_MINUTES) {
        throw new UsageError(
          `--minutes must be at most ${MAX_BAN_MINUTES} (about 23 months); leave it out for a ban until lifted`,
        );
      }
      return { ...out, minutes };
    }
    case "unban":
      noExtra();
      return {
        action,
        socket: socket(),
        pattern: need(target, "the PATTERN: chat admin unban PATTERN"),
      };
    case undefined:
      throw new UsageError(`missing the action: one of ${ACTIONS}`);
    default:
      throw new UsageError(`unknown admin action ${JSON.stringify(action)}; one of ${ACTIONS}`);
  }
}
