/**
 * Private-message history belongs to people, but without accounts the server
 * only knows nicks: whoever takes "alice" after alice leaves would otherwise
 * read alice's private conversations with CHATHISTORY. So a session may read
 * private history only from the moment it took its current nick. (When nicks
 * can be owned, see DESIGN.md "Later", the floor can follow the owner instead.)
 */
const claimedAt = new WeakMap<object, number>();

/** Record that `session` took a nick it did not hold before (case changes do not count). */
export function nickClaimed(session: object, now: number): void {
  claimedAt.set(session, now);
}

/** The earliest message time this session may read in its private conversations. */
export function privateHistoryFloor(session: object): number {
  return claimedAt.get(session) ?? Number.POSITIVE_INFINITY;
}
