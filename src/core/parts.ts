/**
 * What the action modules (actions/*.ts) see of the core: its parts and the
 * few core-wide operations. The Core class provides it; the actions import
 * only this, so the core and its actions never import each other in a circle.
 */
import type { MessageBus } from "../bus/bus.ts";
import type { Origin } from "../bus/events.ts";
import type { ServerCounters } from "../metrics/counters.ts";
import type { Accounts } from "./accounts.ts";
import type { Admission } from "./admission.ts";
import type { ServerInfo } from "./api.ts";
import type { Delivery } from "./delivery.ts";
import type { History } from "./history.ts";
import type { Limits } from "./limits.ts";
import type { LogEvent } from "./log.ts";
import type { Monitors } from "./monitor.ts";
import type { MsgIds } from "./msgid.ts";
import type { NodeHooks } from "./node-hooks.ts";
import type { Registry } from "./registry.ts";
import type { Session } from "./state.ts";

export interface OperLogin {
  name: string;
  /** Checks a password against the stored hash (async: hashing runs off the event loop). */
  verify(password: string): boolean | Promise<boolean>;
}

export interface CoreParts {
  readonly limits: Readonly<Limits>;
  readonly info: ServerInfo;
  readonly registry: Registry;
  readonly admission: Admission;
  readonly accounts: Accounts;
  readonly delivery: Delivery;
  readonly history: History;
  readonly bus: MessageBus;
  readonly ids: MsgIds;
  readonly monitors: Monitors;
  readonly opers: readonly OperLogin[];
  readonly counters: ServerCounters;
  /** This node's name on the bus. */
  readonly node: string;
  /** Set when this node is one of several (src/cluster). */
  readonly hooks?: NodeHooks | undefined;
  now(): number;
  log(line: string): void;
  /** A structured log event (connects, opers, kills, bans, ...). */
  event(e: LogEvent): void;
  /** Remove a session everywhere and close its connection. Idempotent. */
  disconnect(s: Session, reason: string): void;
  validNick(nick: string): boolean;
}

/** The common part of every event `s` causes now, with a fresh msgid (message-ids). */
export function eventBase(
  c: CoreParts,
  s: Session,
): { source: string; time: number; msgid: string; origin: Origin; account?: string } {
  const base: { source: string; time: number; msgid: string; origin: Origin; account?: string } = {
    source: s.prefix,
    time: c.now(),
    msgid: c.ids.next(),
    origin: { node: c.node, conn: s.id },
  };
  // account-tag and extended-join show it; events of unowned nicks carry none.
  if (s.account !== null) base.account = s.account;
  return base;
}

/**
 * A change of the person (QUIT, NICK, AWAY): once on each of their rooms'
 * topics, carrying the list, so each room-mate sees it once (delivery.ts).
 * A NICK (and a SETNAME) also goes to their own nick topic: they see it even in no room.
 */
export function publishUser(
  c: CoreParts,
  s: Session,
  type: "quit" | "nick" | "away" | "setname" | "account",
  text: string,
  source = s.prefix,
): void {
  const rooms = [...s.joined.keys()];
  // Each topic's copy has its own msgid: history keeps the event once per room
  // (event-playback), and a msgid names one stored line.
  const ev = () => ({ ...eventBase(c, s), source, type, text, rooms });
  // NICK and SETNAME are also shown to the person themselves (setname: with the cap).
  if ((type === "nick" || type === "setname") && s.folded !== undefined) {
    c.bus.publish(s.folded, ev());
  }
  for (const r of rooms) c.bus.publish(r, ev());
}
