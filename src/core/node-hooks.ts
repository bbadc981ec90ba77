/**
 * What a multi-node set-up (src/cluster) needs to hear from the core that no
 * bus event says: a local user finished registering, changed nick, or left;
 * an operator set or lifted a server ban.
 * A lone node has none (the field stays undefined and costs one check).
 */
import type { BanKind, ServerBan } from "../security/bans.ts";
import type { Session } from "./state.ts";

export interface NodeHooks {
  /** A local session just registered (its nick is now in use network-wide). */
  registered(s: Session): void;
  /** A registered local session took another nick; `from` is the casefolded old one. */
  nickChanged(s: Session, from: string | undefined): void;
  /** A registered local session is gone (after its QUIT was published). */
  gone(s: Session): void;
  /**
   * `s` is to be disconnected (KILL, a server ban): if it is the replica of a
   * user on another node, pass the request to that node and return true.
   */
  disconnectRemote(s: Session, reason: string): boolean;
  /** An operator here set a server ban (K-line, D-line): every node must keep it. */
  banAdded(ban: ServerBan): void;
  /** An operator here lifted one (`pattern` as it was stored). */
  banLifted(kind: BanKind, pattern: string): void;
}
