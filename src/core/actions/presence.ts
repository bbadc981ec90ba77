/**
 * MONITOR lists (the watches live in monitor.ts) and WALLOPS: who is online,
 * and operators' messages to every user who asked for them (+w).
 */
import { ChatError } from "../errors.ts";
import { type CoreParts, eventBase } from "../parts.ts";
import type { Session } from "../state.ts";

export interface MonitorStatus {
  /** `nick!user@host` of the watched nicks that are online. */
  online: string[];
  /** The watched nicks that are not. */
  offline: string[];
}

export interface MonitorAdded extends MonitorStatus {
  /** Nicks not added because the list is full (ERR_MONLISTFULL). */
  full: string[];
}

function statusOf(c: CoreParts, nicks: Iterable<string>): MonitorStatus {
  const out: MonitorStatus = { online: [], offline: [] };
  for (const nick of nicks) {
    const holder = c.registry.user(nick);
    if (holder?.registered === true && holder.nick !== undefined) out.online.push(holder.prefix);
    else out.offline.push(nick);
  }
  return out;
}

/** MONITOR + targets: watch them; the answer says which are online now. */
export function monitorAdd(c: CoreParts, s: Session, nicks: readonly string[]): MonitorAdded {
  const added: string[] = [];
  const full: string[] = [];
  for (const nick of nicks) {
    if (nick === "" || !c.validNick(nick)) continue;
    if (c.monitors.add(s, nick, c.limits.maxMonitor)) added.push(nick);
    else full.push(nick);
  }
  return { ...statusOf(c, added), full };
}

export function monitorRemove(c: CoreParts, s: Session, nicks: readonly string[]): void {
  for (const nick of nicks) c.monitors.remove(s, nick);
}

export function monitorClear(c: CoreParts, s: Session): void {
  c.monitors.clear(s);
}

/** The watched nicks, casefolded, in the order they were added. */
export function monitorList(s: Session): string[] {
  return [...(s.monitoring ?? [])];
}

export function monitorStatus(c: CoreParts, s: Session): MonitorStatus {
  return statusOf(c, s.monitoring ?? []);
}

/** WALLOPS: an operator's message to every user with +w (and the operator's own copy if +w). */
export function wallops(c: CoreParts, s: Session, text: string): void {
  if (!s.oper) throw new ChatError("noPrivileges");
  if (text === "") throw new ChatError("noTextToSend");
  const ev = { ...eventBase(c, s), type: "wallops" as const, text };
  for (const m of c.registry.holders()) {
    if (m.registered && m.folded !== undefined && m.umodes.has("w")) c.bus.publish(m.folded, ev);
  }
}
