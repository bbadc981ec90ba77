/**
 * Who is here: WHO, WHOIS, WHOWAS, single-user lookups (USERHOST, ISON) and
 * the counts for LUSERS, as plain views. One answer serves both fronts.
 */
import { foldCase } from "../../protocol/casemap.ts";
import { globMatch } from "../../security/bans.ts";
import type { UserView, WhoEntry, WhoisInfo, WhowasEntry } from "../api.ts";
import { ChatError } from "../errors.ts";
import type { CoreParts } from "../parts.ts";
import { OP, type Session, VOICE } from "../state.ts";
import { hiddenFrom } from "./rooms.ts";

function whoEntry(c: CoreParts, m: Session, channel: string, status: number): WhoEntry {
  return {
    bot: m.umodes.has("B"),
    idleSeconds: Math.max(0, Math.floor((c.now() - m.lastSpoke) / 1000)),
    channel,
    nick: m.nick ?? "*",
    user: m.user,
    host: m.host,
    realname: m.realname,
    away: m.away !== undefined,
    oper: m.oper,
    op: (status & OP) !== 0,
    voice: (status & VOICE) !== 0,
    account: m.account,
  };
}

function sharesRoom(a: Session, b: Session): boolean {
  for (const key of a.joined.keys()) if (b.joined.has(key)) return true;
  return false;
}

/**
 * WHO <room> lists its members (capped; nothing for a secret room the asker is
 * not in, and no invisible members to an outsider); WHO <mask> matches nicks
 * and hosts, skipping invisible users who share no room with the asker; an
 * exact nick finds its user even when invisible.
 */
export function who(
  c: CoreParts,
  s: Session,
  mask: string,
  opersOnly: boolean,
): { entries: WhoEntry[]; note?: string } {
  const room = c.registry.room(mask);
  const entries: WhoEntry[] = [];
  if (room !== undefined) {
    if (hiddenFrom(room, s)) return { entries };
    const outsider = !room.members.has(s) && !s.oper;
    const max = c.limits.maxListMembers;
    let seen = 0;
    for (const [m, st] of room.members) {
      if (max > 0 && seen++ >= max) break;
      if (opersOnly && !m.oper) continue;
      if (outsider && m.umodes.has("i")) continue;
      entries.push(whoEntry(c, m, room.name, st));
    }
    if (max > 0 && room.members.size > max) {
      return {
        entries,
        note: `${room.name} has ${room.members.size} members; only the first ${max} are listed`,
      };
    }
    return { entries };
  }
  if (mask.startsWith("#")) return { entries };
  if (!/[*?]/.test(mask)) {
    const exact = c.registry.user(mask);
    if (exact?.nick !== undefined && exact.registered) {
      if (!opersOnly || exact.oper) entries.push(whoEntry(c, exact, "*", 0));
      return { entries };
    }
  }
  const pattern = foldCase(mask === "0" ? "*" : mask);
  for (const m of c.registry.holders()) {
    if (!m.registered || m.nick === undefined) continue;
    if (opersOnly && !m.oper) continue;
    if (!globMatch(pattern, m.folded ?? "") && !globMatch(pattern, foldCase(m.host))) continue;
    if (m !== s && m.umodes.has("i") && !sharesRoom(s, m)) continue;
    entries.push(whoEntry(c, m, "*", 0));
    if (entries.length >= c.limits.whoMaxEntries) break;
  }
  return { entries };
}

/**
 * WHOIS of `nick` as `s` sees it: a secret or private room is left out for
 * someone not in it (RFC 2811 4.2.6: such rooms "MUST be omitted from replies
 * to queries like the WHOIS command"); operators see every room, as for WHO.
 */
export function whois(c: CoreParts, s: Session, nick: string): WhoisInfo {
  const m = c.registry.user(nick);
  if (m?.nick === undefined) throw new ChatError("noSuchNick", [nick]);
  const rooms: WhoisInfo["rooms"] = [];
  for (const room of m.joined.values()) {
    const concealed = room.flags.has("s") || room.flags.has("p");
    if (concealed && !room.members.has(s) && !s.oper) continue;
    const st = room.members.get(m) ?? 0;
    rooms.push({ name: room.name, op: (st & OP) !== 0, voice: (st & VOICE) !== 0 });
  }
  return {
    nick: m.nick,
    user: m.user,
    host: m.host,
    realname: m.realname,
    rooms,
    away: m.away,
    oper: m.oper,
    bot: m.umodes.has("B"),
    plain: m.front.kind === "plain",
    idleSeconds: Math.max(0, Math.floor((c.now() - m.lastSpoke) / 1000)),
    signon: m.connectedAt,
    account: m.account,
  };
}

/** Newest first; `count` 0 means all. */
export function whowas(c: CoreParts, nick: string, count: number): WhowasEntry[] {
  const folded = foldCase(nick);
  const out: WhowasEntry[] = [];
  const list = c.registry.whowas;
  for (let i = list.length - 1; i >= 0; i--) {
    const w = list[i];
    if (w === undefined || foldCase(w.nick) !== folded) continue;
    out.push(w);
    if (count > 0 && out.length >= count) break;
  }
  return out;
}

export function user(c: CoreParts, nick: string): UserView | undefined {
  const m = c.registry.user(nick);
  if (m?.nick === undefined) return undefined;
  return { nick: m.nick, user: m.user, host: m.host, oper: m.oper, away: m.away };
}
