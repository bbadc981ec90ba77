/**
 * The registry: this node's sessions, the nick table and the rooms, all keyed
 * by casefolded name (rfc1459), plus WHOWAS. Lookups are by name only, the way
 * a node that holds nobody locally would also have to ask.
 */
import { foldCase } from "../protocol/casemap.ts";
import type { Counts, WhowasEntry } from "./api.ts";
import type { Room, Session } from "./state.ts";

export class Registry {
  readonly sessions = new Set<Session>();
  private readonly nicks = new Map<string, Session>();
  readonly rooms = new Map<string, Room>();
  /** WHOWAS: newest last. */
  readonly whowas: WhowasEntry[] = [];
  registeredCount = 0;
  /** The most registered users at once since start (LUSERS 265/266 "max"). */
  peakRegistered = 0;

  /** A session finished registering. */
  noteRegistered(): void {
    this.registeredCount++;
    if (this.registeredCount > this.peakRegistered) this.peakRegistered = this.registeredCount;
  }
  /** Registered users with +i, and IRC operators: kept exact as modes change, for LUSERS. */
  invisibleCount = 0;
  operCount = 0;
  /** Registered users on other nodes (src/cluster keeps it), for network-wide LUSERS. */
  remoteUsers = 0;
  /** Of those, +i and operators, as their nodes last said in a heartbeat (src/cluster). */
  remoteInvisible = 0;
  remoteOpers = 0;

  constructor(private readonly whowasEntries: number) {}

  /** Whoever holds `nick` (registered or still registering), by any spelling. */
  holder(nick: string): Session | undefined {
    return this.nicks.get(foldCase(nick));
  }

  /** A registered user by nick. */
  user(nick: string): Session | undefined {
    const s = this.nicks.get(foldCase(nick));
    return s?.registered === true && s.nick !== undefined ? s : undefined;
  }

  nickTaken(folded: string): boolean {
    return this.nicks.has(folded);
  }

  /** Every nick holder, for WHO masks. */
  holders(): IterableIterator<Session> {
    return this.nicks.values();
  }

  claimNick(s: Session, folded: string): void {
    this.nicks.set(folded, s);
  }

  releaseNick(s: Session): void {
    if (s.folded !== undefined && this.nicks.get(s.folded) === s) this.nicks.delete(s.folded);
  }

  room(name: string): Room | undefined {
    return this.rooms.get(foldCase(name));
  }

  rememberWhowas(s: Session, at: number): void {
    if (s.nick === undefined) return;
    this.whowas.push({ nick: s.nick, user: s.user, host: s.host, realname: s.realname, at });
    if (this.whowas.length > this.whowasEntries) this.whowas.shift();
  }

  /** User counts for LUSERS, exact: every count is kept as sessions and modes change. */
  counts(): Counts {
    return {
      users: this.registeredCount - this.invisibleCount + this.remoteUsers - this.remoteInvisible,
      invisible: this.invisibleCount + this.remoteInvisible,
      unknown: this.sessions.size - this.registeredCount,
      opers: this.operCount + this.remoteOpers,
      channels: this.rooms.size,
      peak: this.peakRegistered,
    };
  }
}
