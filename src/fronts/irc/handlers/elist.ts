/**
 * LIST's ELIST conditions (ISUPPORT ELIST=CMNTU), parsed from LIST's first
 * parameter and applied to the core's room summaries. Pure: no I/O.
 *
 *   >5  <20       more / fewer than that many users (U)
 *   *dev*         name matches the mask (M); !*dev* does not (N)
 *   C<60  C>60    created less / more than that many minutes ago (C)
 *   T<60  T>60    topic set less / more than that many minutes ago (T)
 *
 * Anything else is a channel name, listed if it exists (plain LIST #a,#b).
 */
import type { RoomSummary } from "../../../core/api.ts";
import { globMatch } from "../../../security/bans.ts";

export interface ListQuery {
  /** Exact channel names asked for; empty: every room. */
  names: string[];
  /** Every condition must hold. */
  keep: ((r: RoomSummary, now: number) => boolean)[];
}

const MINUTE = 60_000;

export function parseList(terms: readonly string[]): ListQuery {
  const q: ListQuery = { names: [], keep: [] };
  for (const term of terms) {
    const cond = condition(term);
    if (cond !== undefined) q.keep.push(cond);
    else q.names.push(term);
  }
  return q;
}

function condition(term: string): ((r: RoomSummary, now: number) => boolean) | undefined {
  const users = /^([<>])(\d{1,9})$/.exec(term);
  if (users !== null) {
    const n = Number(users[2]);
    return users[1] === ">" ? (r) => r.users > n : (r) => r.users < n;
  }
  const time = /^([CT])([<>])(\d{1,9})$/.exec(term);
  if (time !== null) {
    const ms = Number(time[3]) * MINUTE;
    const when = time[1] === "C" ? (r: RoomSummary) => r.created : (r: RoomSummary) => r.topicTime;
    const newer = time[2] === "<";
    return (r, now) => {
      const at = when(r);
      if (at === undefined) return false;
      return newer ? now - at < ms : now - at > ms;
    };
  }
  if (term.startsWith("!") && term.length > 1) {
    const mask = term.slice(1);
    return (r) => !globMatch(mask, r.name);
  }
  if (/[*?]/.test(term)) return (r) => globMatch(term, r.name);
  return undefined;
}

export function matches(q: ListQuery, r: RoomSummary, now: number): boolean {
  return q.keep.every((f) => f(r, now));
}
