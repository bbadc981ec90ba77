/**
 * What the host may do without an IRC client (`chat admin` over the admin
 * socket): list rooms and users, kick someone out of a room, and set or lift a
 * server ban. Acts as the server itself, not as a session: a KICK comes from
 * the server name, and a ban is set by "admin".
 */

import type { BanKind } from "../../security/bans.ts";
import type { RoomSummary } from "../api.ts";
import { ChatError } from "../errors.ts";
import type { CoreParts } from "../parts.ts";
import { banFromServer, liftServerBan } from "./oper.ts";
import { kickOut, list, roomOf } from "./rooms.ts";

/** One connection as the host sees it. */
export interface AdminUserView {
  nick: string;
  user: string;
  host: string;
  ip: string;
  front: "irc" | "plain";
  tls: boolean;
  registered: boolean;
  oper: boolean;
  rooms: string[];
  /** ms since the epoch. */
  connectedAt: number;
  idleSeconds: number;
}

export function adminRooms(c: CoreParts): RoomSummary[] {
  return list(c, undefined, undefined).sort(
    (a, b) => b.users - a.users || a.name.localeCompare(b.name),
  );
}

export function adminUsers(c: CoreParts): AdminUserView[] {
  const now = c.now();
  return [...c.registry.sessions].map((s) => ({
    nick: s.nick ?? "*",
    user: s.user,
    host: s.host,
    ip: s.conn.remoteAddress,
    front: s.front.kind,
    tls: s.conn.secure === true,
    registered: s.registered,
    oper: s.oper,
    rooms: [...s.joined.keys()].map((k) => c.registry.rooms.get(k)?.name ?? k),
    connectedAt: s.connectedAt,
    idleSeconds: Math.max(0, Math.floor((now - s.lastActive) / 1000)),
  }));
}

/** KICK from the server: everyone in the room sees it, as from an operator. */
export function adminKick(c: CoreParts, name: string, nick: string, reason: string): string {
  const room = roomOf(c, name);
  const victim = c.registry.holder(nick);
  if (victim === undefined || !room.members.has(victim)) {
    throw new ChatError("userNotInChannel", [nick, room.name], `${nick} is not in ${room.name}`);
  }
  // Connection 0 is no session: nobody takes this for their own echo.
  const base = {
    source: c.info.name,
    time: c.now(),
    msgid: c.ids.next(),
    origin: { node: c.node, conn: 0 },
  };
  return kickOut(c, room, victim, base, "admin", reason);
}

export function adminBan(
  c: CoreParts,
  kind: BanKind,
  pattern: string,
  reason: string,
  durationMs?: number,
): { pattern: string; removed: number } {
  return banFromServer(c, "admin", kind, pattern, reason, durationMs);
}

export function adminUnban(c: CoreParts, kind: BanKind, pattern: string): string | undefined {
  return liftServerBan(c, kind, pattern);
}
