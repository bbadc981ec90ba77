/** What a `ClientConnection` is given: who to be, where, and how patient to be. */
import type { ClientEvent } from "./events.ts";
import type { TlsTrust } from "./link.ts";

export interface ConnectionOptions {
  host: string;
  port: number;
  nick: string;
  username: string;
  realname: string;
  password?: string;
  /** Proves (or first claims) the nick with SASL PLAIN on every connection. */
  secret?: string;
  /** Rooms to join after registering. */
  channels: string[];
  tls?: TlsTrust;
  /** Retry after a drop; otherwise a drop ends the session. */
  reconnect: boolean;
  onEvent(ev: ClientEvent): void;
  /** The session is over (fatal error, or the link dropped without reconnect). */
  onClose?(reason: string): void;
  connectTimeoutMs?: number;
  /** How many missed messages to ask for per room after a reconnect. */
  catchUpLimit?: number;
  /** Give up on a server that accepts TCP but never welcomes us. */
  registerTimeoutMs?: number;
  /** Silence after which we PING the server; twice this and the link is dead. */
  idleMs?: number;
}
