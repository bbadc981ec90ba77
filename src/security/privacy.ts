/**
 * Private-message history belongs to people, but without accounts the server
 * only knows nicks: whoever takes "alice" after alice leaves would otherwise
 * read alice's private conversations with CHATHISTORY. So a session may read
 * private history only from the moment it took its current nick. (When nicks
 * can be owned, see DESIGN.md "Later", the floor can follow the owner instead.)
 *
 * "The moment" needs more than a millisecond clock: a message, a QUIT and the
 * newcomer's NICK can all land within one millisecond. So the floor also keeps
 * a msgid drawn at claim time; msgids of one server run are `<boot>-<seq>`
 * with a growing base-36 sequence, which orders messages within a millisecond.
 */
interface Floor {
  time: number;
  boot: string;
  seq: number;
}

const floors = new WeakMap<object, Floor>();

function parseMsgid(msgid: string): { boot: string; seq: number } | undefined {
  const m = /^(.+)-([0-9a-z]+)$/.exec(msgid);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { boot: m[1], seq: Number.parseInt(m[2], 36) };
}

/**
 * Record that `session` took a nick it did not hold before (case changes do not
 * count). `marker` is a fresh msgid from the server, drawn now.
 */
export function nickClaimed(session: object, now: number, marker: string): void {
  const id = parseMsgid(marker);
  floors.set(session, {
    time: now,
    boot: id?.boot ?? "",
    seq: id?.seq ?? Number.POSITIVE_INFINITY,
  });
}

/** May `session` read this private-history entry? */
export function privateEntryVisible(
  session: object,
  entry: { time: number; msgid: string },
): boolean {
  const f = floors.get(session);
  if (f === undefined) return false;
  if (entry.time !== f.time) return entry.time > f.time;
  const id = parseMsgid(entry.msgid);
  return id !== undefined && id.boot === f.boot && id.seq > f.seq;
}
