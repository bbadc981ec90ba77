/**
 * Who a connection is: nick, user and real name, registration, away, user
 * modes, and leaving.
 */
import { foldCase, sameName } from "../../protocol/casemap.ts";
import { byteLength, clipBytes, nickOf, ownString } from "../../protocol/text.ts";
import type { RegisterOutcome } from "../api.ts";
import { ChatError } from "../errors.ts";
import { type CoreParts, eventBase, publishUser } from "../parts.ts";
import type { Session } from "../state.ts";
import { admitNick, checkNickChange, deliverOffline, ownerFloor } from "./accounts.ts";

/** An IRC line without tags, CR LF excluded: what every client can take (RFC 1459). */
export const LINE_BYTES = 510;

/** Claim or change a nick. Registered users' changes are seen by everyone who shares a room. */
export function setNick(c: CoreParts, s: Session, given: string): void {
  if (given === "") throw new ChatError("noNicknameGiven");
  if (!c.validNick(given)) throw new ChatError("erroneusNickname", [given]);
  // Kept for the connection's life (and as the registry key): its own copy, not a slice
  // pinning the NICK line it came in.
  const nick = ownString(given);
  const folded = foldCase(nick);
  // Before registration a claimed nick may be taken and proved later (SASL); register checks it.
  if (s.registered && folded !== s.folded) checkNickChange(c, s, nick);
  const holder = c.registry.holder(nick);
  if (holder !== undefined && holder !== s) throw new ChatError("nicknameInUse", [nick]);
  if (s.nick === nick) return;
  if (s.registered) c.admission.checkNickChange(s, nick, c.now());
  const oldPrefix = s.prefix;
  const oldFolded = s.folded;
  if (s.registered) c.registry.rememberWhowas(s, c.now());
  c.registry.releaseNick(s);
  // A different nick (not just another spelling) starts a new private-history window.
  if (oldFolded !== folded) c.history.nickClaimed(s, c.now(), c.ids.nextMark());
  c.registry.claimNick(s, folded);
  s.setIdentity(nick, folded);
  if (oldFolded !== folded) ownerFloor(c, s);
  if (!s.registered) return;
  moveInvites(s, oldFolded, folded);
  c.delivery.watchNick(s, folded);
  publishUser(c, s, "nick", nick, oldPrefix);
  // MONITOR: the old nick went offline and the new one came online (not for a mere case change).
  if (oldFolded !== folded) {
    c.monitors.offline(nickOf(oldPrefix));
    c.monitors.online(s);
  }
  c.hooks?.nickChanged(s, oldFolded);
}

/**
 * Pending invites belong to the person, not the nick: they follow a nick
 * change, and vanish when the user leaves, so whoever takes the nick next
 * does not inherit a way into an invite-only room.
 */
export function moveInvites(s: Session, from: string | undefined, to: string | undefined): void {
  if (s.invitedTo === undefined || from === undefined) return;
  for (const room of s.invitedTo) {
    if (!room.invites.delete(from)) continue;
    if (to !== undefined) room.invites.add(to);
  }
  if (to === undefined) s.invitedTo = undefined;
}

/** USER: the ident (made safe, marked ~ as not verified) and the real name (cut to NAMELEN). */
export function setUser(c: CoreParts, s: Session, user: string, realname: string): void {
  if (s.registered) throw new ChatError("alreadyRegistered");
  const raw = user.replace(/[^A-Za-z0-9._-]/g, "").slice(0, 10);
  s.user = ownString(`~${raw === "" ? "user" : raw}`);
  s.realname = ownString(clipBytes(realname, c.limits.realnameLen));
  // A NICK before USER made the prefix with a placeholder ident; SASL's 900 shows it.
  if (s.nick !== undefined && s.folded !== undefined) s.setIdentity(s.nick, s.folded);
}

export function register(c: CoreParts, s: Session, password: string | undefined): RegisterOutcome {
  if (s.registered) throw new ChatError("alreadyRegistered");
  if (s.nick === undefined || s.folded === undefined || s.user === "") return "waiting";
  if (!c.admission.passwordOk(s.conn.remoteAddress, password, c.now())) {
    s.front.error(new ChatError("passwdMismatch"));
    c.disconnect(s, "Bad password");
    return "refused";
  }
  // A server ban (KLINE/DLINE) ends the connection here, before any welcome.
  const banned = c.admission.serverBanReason(s);
  if (banned !== undefined) {
    c.counters.refused.kline++;
    s.front.error(new ChatError("youreBannedCreep", [], banned));
    c.disconnect(s, banned);
    return "refused";
  }
  // A claimed nick only for its owner; the owner takes it over from a stale session.
  if (!admitNick(c, s)) return "waiting";
  s.registered = true;
  c.registry.noteRegistered();
  s.setIdentity(s.nick, s.folded);
  s.lastActive = c.now();
  c.delivery.watchNick(s, s.folded);
  c.hooks?.registered(s);
  deliverOffline(c, s);
  c.monitors.online(s);
  c.event({
    level: "info",
    event: "registered",
    msg: `registered ${s.conn.remoteAddress} (id ${s.id}) as ${s.nick}`,
    fields: { ip: s.conn.remoteAddress, id: s.id, nick: s.nick },
  });
  return "registered";
}

/** A free nick close to `nick` (for "nick taken" hints). */
export function suggestNick(c: CoreParts, nick: string): string {
  const base = (c.validNick(nick) ? nick : "guest").slice(0, c.limits.nickLen - 3);
  for (const suffix of ["_", "__", "1", "2", "3"]) {
    const candidate = base + suffix;
    if (!c.registry.nickTaken(foldCase(candidate))) return candidate;
  }
  for (;;) {
    const candidate = base + String(Math.floor(Math.random() * 1000));
    if (!c.registry.nickTaken(foldCase(candidate))) return candidate;
  }
}

export function quit(c: CoreParts, s: Session, reason: string): void {
  const room = LINE_BYTES - byteLength(`:${s.prefix} QUIT :Quit: `);
  c.disconnect(s, `Quit: ${clipBytes(reason, room)}`);
}

/**
 * SETNAME: a new real name, seen by setname clients sharing a room and by the
 * user. Refused (nothing changes) when empty or over NAMELEN: IRCv3 setname
 * says FAIL INVALID_REALNAME rather than a silent cut.
 */
export function setRealname(c: CoreParts, s: Session, realname: string): "ok" | "invalid" {
  if (!s.registered) throw new ChatError("notRegistered");
  if (realname === "" || byteLength(realname) > c.limits.realnameLen) return "invalid";
  if (realname === s.realname) return "ok";
  s.realname = realname;
  publishUser(c, s, "setname", realname);
  return "ok";
}

/** AWAY: set (text) or clear (undefined); away-notify clients sharing a room are told. */
export function setAway(c: CoreParts, s: Session, text: string | undefined): void {
  const clipped = text === undefined || text === "" ? undefined : clipBytes(text, c.limits.awayLen);
  if (clipped === s.away) return;
  s.away = clipped;
  publishUser(c, s, "away", clipped ?? "");
  c.monitors.away(s, { ...eventBase(c, s), type: "away", text: clipped ?? "", rooms: [] });
}

/** MODE <own nick> [+|-]modes: +i and +w, and -o to drop operator status. */
export function setUserModes(
  c: CoreParts,
  s: Session,
  target: string,
  modestring: string,
): { applied: string; unknown: boolean } {
  if (s.nick === undefined || !sameName(target, s.nick)) {
    if (c.registry.holder(target) !== undefined) throw new ChatError("usersDontMatch");
    throw new ChatError("noSuchNick", [target]);
  }
  let sign = "+";
  let applied = "";
  let lastSign = "";
  let unknown = false;
  for (const m of modestring) {
    if (m === "+" || m === "-") {
      sign = m;
      continue;
    }
    if (m === "i" || m === "w" || m === "B" || (m === "o" && sign === "-")) {
      const has = s.umodes.has(m);
      if (sign === "+" && !has) s.addUmode(m);
      else if (sign === "-" && has) s.deleteUmode(m);
      else continue;
      if (m === "i") c.registry.invisibleCount += sign === "+" ? 1 : -1;
      if (m === "o" && s.oper) {
        s.oper = false;
        c.registry.operCount--;
      }
      if (sign !== lastSign) applied += sign;
      lastSign = sign;
      applied += m;
    } else if (m !== "o") {
      unknown = true;
    }
  }
  return { applied, unknown };
}
