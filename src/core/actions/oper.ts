/**
 * Server operators: OPER (argon2id check off the event loop, attempts capped
 * per connection and per address), KILL, and server bans (KLINE by mask,
 * DLINE by address) that also remove whoever they match right away.
 */
import type { BanKind, ServerBan } from "../../security/bans.ts";
import type { OperOutcome, ServerBanView } from "../api.ts";
import { ChatError } from "../errors.ts";
import type { CoreParts } from "../parts.ts";
import type { Session } from "../state.ts";

/**
 * OPER <name> <password>. A refusal is told to the user here (464), and the
 * connection is closed after `limits.operTries` of them.
 */
export function oper(
  c: CoreParts,
  s: Session,
  name: string,
  password: string,
): OperOutcome | Promise<OperOutcome> {
  if (s.oper) return "already";
  if (c.opers.length === 0) throw new ChatError("noOperHost");
  if (!c.admission.operAttempt(s.conn.remoteAddress, c.now())) return "throttled";
  const login = c.opers.find((o) => o.name === name);
  // An unknown name still costs a hash check, so names cannot be probed by timing.
  const check = login ?? c.opers[0];
  return Promise.resolve(check?.verify(password) ?? false).then(
    (ok) => settle(c, s, name, ok && login !== undefined),
    () => settle(c, s, name, false),
  );
}

function settle(c: CoreParts, s: Session, name: string, ok: boolean): OperOutcome {
  if (s.gone) return "refused";
  if (ok) {
    s.oper = true;
    s.addUmode("o");
    c.registry.operCount++;
    s.operFailures = 0;
    c.event({
      level: "info",
      event: "oper",
      msg: `oper ${s.nick} (${name}) from ${s.host}`,
      fields: { nick: s.nick, name, host: s.host, ip: s.conn.remoteAddress },
    });
    return "granted";
  }
  s.operFailures++;
  // The name tried, never the password: a typo may have put the password there too.
  c.event({
    level: "warn",
    event: "oper-failed",
    msg: `failed OPER by ${s.nick ?? "?"} from ${s.conn.remoteAddress}`,
    fields: { nick: s.nick, ip: s.conn.remoteAddress },
  });
  s.front.error(new ChatError("passwdMismatch"));
  if (s.operFailures >= c.limits.operTries) c.disconnect(s, "Too many failed OPER attempts");
  return "refused";
}

/** KILL: returns the nick that was disconnected. */
export function kill(c: CoreParts, s: Session, nick: string, reason: string): string {
  const target = c.registry.holder(nick);
  if (target === undefined) throw new ChatError("noSuchNick", [nick]);
  const why = `Killed by ${s.nick ?? "an operator"} (${reason})`;
  if (target.front.kind === "plain") target.front.notice(why);
  c.event({
    level: "info",
    event: "kill",
    msg: `kill ${target.nick ?? nick} by ${s.nick ?? "an operator"}: ${reason}`,
    fields: { nick: target.nick ?? nick, by: s.nick, reason },
  });
  c.disconnect(target, why);
  return target.nick ?? nick;
}

/** Disconnect `s`, telling it why, if a server ban matches it. */
function enforce(c: CoreParts, s: Session): boolean {
  const why = c.admission.serverBanReason(s);
  if (why === undefined) return false;
  s.front.error(new ChatError("youreBannedCreep", [], why));
  c.disconnect(s, why);
  return true;
}

export function addServerBan(
  c: CoreParts,
  s: Session,
  kind: BanKind,
  pattern: string,
  reason: string,
  durationMs?: number,
): { pattern: string; removed: number } {
  return banFromServer(c, s.nick ?? "operator", kind, pattern, reason, durationMs);
}

/** Add a server ban set by `setBy` and remove whoever it matches now (also the admin socket's ban). */
export function banFromServer(
  c: CoreParts,
  setBy: string,
  kind: BanKind,
  pattern: string,
  reason: string,
  durationMs?: number,
): { pattern: string; removed: number } {
  const now = c.now();
  const ban = c.admission.addBan({
    kind,
    pattern,
    reason,
    setBy,
    setAt: now,
    ...(durationMs !== undefined && durationMs > 0 ? { expiresAt: now + durationMs } : {}),
  });
  c.hooks?.banAdded(ban);
  return { pattern: ban.pattern, removed: enforceBan(c, ban) };
}

/**
 * A server ban another node of the network set: kept here too (and in this
 * node's store), and enforced on this node's users (each node removes its own;
 * replicas of remote users are not sessions here).
 */
export function banFromNetwork(c: CoreParts, ban: ServerBan): number {
  return enforceBan(c, c.admission.addBan(ban));
}

/** Log `ban` and disconnect this node's users it matches; how many. */
function enforceBan(c: CoreParts, ban: ServerBan): number {
  const { kind, setBy, reason } = ban;
  c.event({
    level: "info",
    event: kind === "mask" ? "kline" : "dline",
    msg: `${kind === "mask" ? "KLINE" : "DLINE"} ${ban.pattern} by ${setBy}: ${reason}`,
    fields: { pattern: ban.pattern, by: setBy, reason },
  });
  let removed = 0;
  for (const other of [...c.registry.sessions]) {
    if (kind === "mask") {
      if (other.registered && enforce(c, other)) removed++;
      continue;
    }
    if (other.oper) continue;
    const why = c.admission.ipBanReason(other.conn.remoteAddress);
    if (why === undefined) continue;
    if (other.registered) enforce(c, other);
    if (!other.gone) c.disconnect(other, why);
    removed++;
  }
  return removed;
}

export function liftServerBan(c: CoreParts, kind: BanKind, pattern: string): string | undefined {
  const lifted = c.admission.removeBan(kind, pattern)?.pattern;
  if (lifted !== undefined) c.hooks?.banLifted(kind, lifted);
  if (lifted !== undefined) {
    const name = kind === "mask" ? "unkline" : "undline";
    c.event({
      level: "info",
      event: name,
      msg: `${name.toUpperCase()} ${lifted}`,
      fields: { pattern: lifted },
    });
  }
  return lifted;
}

export function serverBans(c: CoreParts, kind: BanKind): ServerBanView[] {
  return c.admission.listBans(kind).map((b) => ({
    kind: b.kind,
    pattern: b.pattern,
    reason: b.reason,
    setBy: b.setBy,
    ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
  }));
}
