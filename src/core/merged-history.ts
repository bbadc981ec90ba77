/**
 * History read across several conversation keys as one ordered conversation:
 * a room's messages with its events (playback.ts), or every private chat of
 * one person (CHATHISTORY with the target `*`).
 *
 * Each key is asked for `limit` entries on the same side of the reference; the
 * answers are merged by (time, msgid order) and the `limit` nearest the
 * reference kept. A msgid names a line in one of the keys; the others are
 * asked by that line's time, with that millisecond read whole and then cut
 * exactly by msgid order.
 */
import type { HistoryEntry, HistoryRef, HistoryStore } from "../store/store.ts";
import type { HistoryQuery } from "./api.ts";
import { parseMsgid } from "./msgid.ts";

const END_OF_TIME: HistoryRef = { time: Number.MAX_SAFE_INTEGER };

/** A point to order against: a time, or one stored line (its time and msgid). */
interface Anchor {
  time: number;
  msgid?: string;
}

/** Order of two lines: by time, then by msgid within one run (msgid.ts orders them). */
function compareAt(a: Anchor, b: Anchor): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.msgid === undefined || b.msgid === undefined) return 0;
  const x = parseMsgid(a.msgid);
  const y = parseMsgid(b.msgid);
  if (x !== undefined && y !== undefined && x.boot === y.boot) return x.seq - y.seq;
  return a.msgid < b.msgid ? -1 : a.msgid > b.msgid ? 1 : 0;
}

/** Where a ref points, and in which key a msgid ref was found; undefined: unknown msgid. */
function locate(
  store: HistoryStore,
  keys: readonly string[],
  ref: HistoryRef,
): { anchor: Anchor; home?: string } | undefined {
  if ("time" in ref) return { anchor: { time: ref.time } };
  for (const key of keys) {
    // AROUND with a limit of 1 answers the referenced line itself.
    const [hit] = store.around(key, ref, 1);
    if (hit?.msgid === ref.msgid)
      return { anchor: { time: hit.time, msgid: hit.msgid }, home: key };
  }
  return undefined;
}

/** Lines of one millisecond in a key: the most a flood-limited millisecond can hold, bounded. */
const SAME_MS_MAX = 1000;

/**
 * How to ask `key` about a resolved ref: the msgid in its home key or a time
 * as it is; a msgid from the other key by its time, which the store treats as
 * falling between lines, plus that millisecond's own lines (`extra`) for the
 * exact cut by the anchor afterwards.
 */
function ask(
  store: HistoryStore,
  key: string,
  r: { anchor: Anchor; home?: string },
): { ref: HistoryRef; extra: HistoryEntry[] } {
  const { time, msgid } = r.anchor;
  if (msgid === undefined) return { ref: { time }, extra: [] };
  if (r.home === key) return { ref: { msgid }, extra: [] };
  const extra = store.between(key, { time: time - 1 }, { time: time + 1 }, SAME_MS_MAX);
  return { ref: { time }, extra };
}

/**
 * The entries of `keys`, merged in order, answering `q` as the store answers
 * it for one key. References are looked for in `refKeys` (a superset of `keys`).
 */
export function queryMerged(
  store: HistoryStore,
  keys: readonly string[],
  refKeys: readonly string[],
  q: HistoryQuery,
  limit: number,
): HistoryEntry[] {
  const resolve = (ref: HistoryRef) => locate(store, refKeys, ref);
  // In key order, each line once (both ends of a BETWEEN may fall in one millisecond).
  const each = (read: (key: string) => HistoryEntry[]): HistoryEntry[] => {
    const seen = new Set<string>();
    return keys
      .flatMap(read)
      .filter((e) => !seen.has(e.msgid) && seen.add(e.msgid) !== undefined)
      .sort(compareAt);
  };
  switch (q.kind) {
    case "latest": {
      if (q.after === undefined) return each((k) => store.latest(k, limit)).slice(-limit);
      const r = resolve(q.after);
      if (r === undefined) return [];
      // The newest after the ref: the ones nearest "the end of time".
      const out = each((k) => {
        const { ref, extra } = ask(store, k, r);
        return [...extra, ...store.between(k, END_OF_TIME, ref, limit)];
      });
      return out.filter((e) => compareAt(e, r.anchor) > 0).slice(-limit);
    }
    case "before": {
      const r = resolve(q.ref);
      if (r === undefined) return [];
      const out = each((k) => {
        const { ref, extra } = ask(store, k, r);
        return [...store.before(k, ref, limit), ...extra];
      });
      return out.filter((e) => compareAt(e, r.anchor) < 0).slice(-limit);
    }
    case "after": {
      const r = resolve(q.ref);
      if (r === undefined) return [];
      const out = each((k) => {
        const { ref, extra } = ask(store, k, r);
        return [...extra, ...store.after(k, ref, limit)];
      });
      return out.filter((e) => compareAt(e, r.anchor) > 0).slice(0, limit);
    }
    case "around": {
      const r = resolve(q.ref);
      if (r === undefined) return [];
      // Both sides by time, with the anchor's millisecond read whole and cut exactly:
      // older strictly before the anchor, newer from it on (a msgid's own line included).
      const at = { time: r.anchor.time };
      const same = (k: string): HistoryEntry[] =>
        store.between(k, { time: at.time - 1 }, { time: at.time + 1 }, SAME_MS_MAX);
      const older = each((k) => [...store.before(k, at, limit), ...same(k)]).filter(
        (e) => compareAt(e, r.anchor) < 0,
      );
      const newer = each((k) => [...same(k), ...store.after(k, at, limit)]).filter(
        (e) => compareAt(e, r.anchor) >= 0,
      );
      const takeNewer = Math.min(
        newer.length,
        limit - Math.min(Math.floor(limit / 2), older.length),
      );
      const takeOlder = Math.min(older.length, limit - takeNewer);
      return [...older.slice(older.length - takeOlder), ...newer.slice(0, takeNewer)];
    }
    case "between": {
      const a = resolve(q.from);
      const b = resolve(q.to);
      if (a === undefined || b === undefined) return [];
      const aFirst = compareAt(a.anchor, b.anchor) <= 0;
      const [lo, hi] = aFirst ? [a, b] : [b, a];
      const out = each((k) => {
        const x = ask(store, k, a);
        const y = ask(store, k, b);
        return [...x.extra, ...store.between(k, x.ref, y.ref, limit), ...y.extra];
      });
      const inside = out.filter((e) => compareAt(e, lo.anchor) > 0 && compareAt(e, hi.anchor) < 0);
      return aFirst ? inside.slice(0, limit) : inside.slice(-limit);
    }
  }
}
