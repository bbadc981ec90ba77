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
