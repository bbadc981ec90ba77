/**
 * The moderation seam: server bans (K-lines by mask, D-lines by address) and
 * address lockouts (too many wrong server passwords or OPER attempts) that must
 * outlive a restart. `SqliteModeration` (sqlite/moderation.ts) keeps them in
 * the history database, its own table; `MemoryModeration` is the one for
 * `--db :memory:` and tests. Entries carry an optional expiry; an expired one
 * is never loaded.
 */
import { foldCase } from "../protocol/casemap.ts";

/** `kline`/`dline`: server bans; `lockout-*`: an address refused until `expiresAt`. */
export type ModerationKind = "kline" | "dline" | "lockout-password" | "lockout-oper";

export interface ModerationEntry {
  kind: ModerationKind;
  /** A `nick!user@host` mask, an IP/CIDR pattern, or for a lockout the address key. */
  pattern: string;
  reason: string;
  setBy: string;
  /** ms since the epoch. */
  setAt: number;
  /** ms since the epoch; undefined: until lifted. */
  expiresAt?: number;
}

export interface ModerationStore {
  /** Every entry still in force at `now`; expired ones are dropped from the store. */
  load(now: number): ModerationEntry[];
  /** Insert or replace (same kind, same pattern in any case). Never throws: trouble is logged. */
  save(entry: ModerationEntry): void;
  remove(kind: ModerationKind, pattern: string): void;
  close(): void;
}

/** Whether `e` is still in force at `now`. */
export function inForce(e: { expiresAt?: number | undefined }, now: number): boolean {
  return e.expiresAt === undefined || e.expiresAt > now;
}

/** The identity of an entry: its kind and its pattern casefolded (as bans compare them). */
export function moderationKey(kind: ModerationKind, pattern: string): string {
  return `${kind} ${foldCase(pattern)}`;
}

export class MemoryModeration implements ModerationStore {
  private readonly entries = new Map<string, ModerationEntry>();

  load(now: number): ModerationEntry[] {
    for (const [k, e] of this.entries) if (!inForce(e, now)) this.entries.delete(k);
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  save(entry: ModerationEntry): void {
    this.entries.set(moderationKey(entry.kind, entry.pattern), { ...entry });
  }

  remove(kind: ModerationKind, pattern: string): void {
    this.entries.delete(moderationKey(kind, pattern));
  }

  close(): void {}
}
