/**
 * MONITOR: who watches which nick on this node, and the online/offline
 * notices when a watched nick registers, changes or leaves. The watch lists
 * are per core (two cores in one process share nothing); each watcher's front
 * turns a notice into its own lines (IRC: 730/731).
 *
 * Watches are kept by casefolded nick. Presence is decided from this node's
 * registry, so it covers the users of this node (the only node today; a
 * network bus would carry presence as events).
 */
import type { UserEvent } from "../bus/events.ts";
import { foldCase } from "../protocol/casemap.ts";
import type { Session } from "./state.ts";

export class Monitors {
  /** Casefolded nick -> the sessions watching it. */
  private readonly watchers = new Map<string, Set<Session>>();

  /** Add `nick` to `s`'s list; false when the list is already at `max`. */
  add(s: Session, nick: string, max: number): boolean {
    const folded = foldCase(nick);
    if (s.monitoring?.has(folded) === true) return true;
    if ((s.monitoring?.size ?? 0) >= max) return false;
    if (s.monitoring === undefined) s.monitoring = new Set();
    s.monitoring.add(folded);
    let set = this.watchers.get(folded);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(folded, set);
    }
    set.add(s);
    return true;
  }

  remove(s: Session, nick: string): void {
    const folded = foldCase(nick);
    if (s.monitoring?.delete(folded) !== true) return;
    const set = this.watchers.get(folded);
    set?.delete(s);
    if (set?.size === 0) this.watchers.delete(folded);
  }

  /** Empty `s`'s list (MONITOR C, and on disconnect). */
  clear(s: Session): void {
    for (const folded of s.monitoring ?? []) {
      const set = this.watchers.get(folded);
      set?.delete(s);
      if (set?.size === 0) this.watchers.delete(folded);
    }
    s.monitoring = undefined;
  }

  /** `s` now holds its nick as a registered user: its watchers see it online. */
  online(s: Session): void {
    if (s.folded === undefined) return;
    for (const w of this.watchers.get(s.folded) ?? []) w.front.monitor?.(true, [s.prefix]);
  }

  /** `nick` is no longer held (nick change, quit). */
  offline(nick: string): void {
    for (const w of this.watchers.get(foldCase(nick)) ?? []) w.front.monitor?.(false, [nick]);
  }

  /**
   * extended-monitor: watchers with away-notify who share no room with `s`
   * learn of its AWAY too (room-mates already got it through the room).
   */
  away(s: Session, ev: UserEvent): void {
    if (s.folded === undefined) return;
    for (const w of this.watchers.get(s.folded) ?? []) {
      if (w === s || !w.hasCap("extended-monitor") || !w.hasCap("away-notify")) continue;
      if ([...w.joined.keys()].some((r) => s.joined.has(r))) continue;
      const bytes = w.front.render(ev);
      if (bytes === null) continue;
      if (w.captured === undefined) w.conn.send(bytes);
      else w.captured.bytes(bytes);
    }
  }
}
