/**
 * The transport seam. The server core sees only `Conn` (bytes out, close, peer
 * address) and implements `ConnHandler` (lines in, close notice). A TCP, TLS or
 * later WebSocket adapter is a new implementation of these two, not a rewrite.
 */

export interface Conn {
  /** Peer IP address, for logs, WHOIS and per-IP limits. */
  readonly remoteAddress: string;
  /**
   * Queue bytes for the next coalesced flush. Never blocks and never writes
   * synchronously. Past the send-queue cap the transport sends
   * `ERROR :SendQ exceeded`, closes, and reports it through `ConnHandler.closed`.
   */
  send(bytes: Uint8Array): void;
  /** Flush what is queued (plus `lastWords`, if given) and close. Idempotent. */
  close(lastWords?: Uint8Array): void;
  /** Bytes queued and not yet accepted by the socket. */
  readonly queuedBytes: number;
  readonly closed: boolean;
  /** True once the connection turned out to be TLS (for the metrics); absent: never. */
  readonly secure?: boolean;
  /** Set by transports other than raw TCP (the metrics' front label): "web" for a WebSocket. */
  readonly transport?: "web";
  /** SHA-256 of the TLS client certificate (lowercase hex), when the peer gave one. */
  peerCertFingerprint?(): string | undefined;
  /**
   * Set by a transport that delivers room messages itself, one frame per event
   * for all of its members (WebSocket topics). The core tells it this
   * connection's rooms and then hands such a member's room messages to `hub`.
   */
  readonly fanout?: RoomFanout;
}

/** One connection's side of a transport's room fan-out; `room` is an identity that survives a rename. */
export interface RoomFanout {
  /** In `room` with `variant` from now on (a join, or the session's variant changed). */
  enter(room: object, variant: number): void;
  leave(room: object): void;
  /** Shared by all connections whose room messages are published together. */
  readonly hub: RoomHub;
}

export interface RoomHub {
  /**
   * Deliver `bytes` (one rendered event, possibly several lines) to every
   * connection of this hub that is in `room` with `variant`, except `skip`,
   * after what was queued to each of them before and before what is queued after.
   */
  publish(room: object, variant: number, bytes: Uint8Array, skip: readonly RoomFanout[]): void;
}

/** Running byte totals a transport adds to (the server's metrics counters). */
export interface ByteCounts {
  /** Bytes of text received (after TLS). */
  bytesIn: number;
  /** Bytes the sockets accepted (before TLS). */
  bytesOut: number;
}

export interface ConnHandler {
  /**
   * One complete line, CR LF removed, decoded as UTF-8 (invalid bytes become
   * U+FFFD, and `invalidUtf8` is true).
   */
  line(line: string, invalidUtf8?: boolean): void;
  /** A line longer than the framing limit arrived and was discarded. */
  overlong(bytes: number): void;
  /** The connection is gone. `reason` is what other users are told. Called once. */
  closed(reason: string): void;
}

/** What a listener calls for each new connection; returning undefined refuses it. */
export type Acceptor = (conn: Conn) => ConnHandler | undefined;
