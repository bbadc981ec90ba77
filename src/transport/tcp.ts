/**
 * Bun.listen adapter: the only place server sockets are touched. Bytes in go
 * through a LineFramer to the core's ConnHandler; bytes out go through a capped
 * SendQueue flushed by the shared FlushScheduler.
 */
import type { SecureContext } from "node:tls";
import type { Socket, TCPSocketListener } from "bun";
import {
  DEFAULT_MAX_LINE_BYTES,
  type FrameHolder,
  type FramerConfig,
  frameChunk,
} from "../protocol/framing.ts";
import { looksLikeTls, makeSecureContext, TlsSession } from "../security/tls-session.ts";
import type { Acceptor, ByteCounts, Conn, ConnHandler } from "./conn.ts";
import { looksLikeHttp } from "./http-sniff.ts";
import { type FlushScheduler, SendQueue } from "./output.ts";
import { type WebHandoff, WebPipe } from "./web-pipe.ts";

export interface TcpListenOptions {
  hostname: string;
  port: number;
  /** Send-queue cap per connection, in bytes. */
  sendQBytes: number;
  /** Framing limit per line, in bytes. */
  maxLineBytes?: number;
  /** Idle time before the kernel starts probing a silent peer. */
  keepaliveMs: number;
  /** How long a closing connection may take to flush its last words before a hard close. */
  closeGraceMs: number;
  /**
   * Serve TLS on the SAME port as plain text: a connection whose first byte is
   * 0x16 (a TLS ClientHello) gets a TLS session, any other stays plain. See
   * security/tls-session.ts for why this is not Bun.listen's own `tls` option.
   */
  tls?: { cert: string; key: string };
  /** SO_REUSEPORT: several processes (cluster nodes) share the port and the kernel spreads connections. */
  reusePort?: boolean;
  /** Totals of bytes in and out to add to (the metrics); omitted: not counted. */
  counts?: ByteCounts;
  /**
   * Serve HTTP on the same port: a connection whose first bytes (after TLS) are
   * an HTTP request is piped to the internal web server instead of the core.
   * The core then sees a connection only once its first bytes arrive, or after
   * `webSniffMs` of silence (a person at nc who waits for the greeting).
   */
  web?: WebHandoff;
  webSniffMs?: number;
}

export interface TcpListener {
  readonly hostname: string;
  readonly port: number;
  /** Stop accepting; existing connections stay until the core closes them. */
  stop(): void;
  /**
   * Serve this certificate to connections from now on (a renewed one); open
   * TLS connections keep theirs. Throws if it cannot be used, keeping the old.
   */
  setTls(identity: { cert: string; key: string }): void;
}

const encoder = new TextEncoder();
/** A TLS connection's first plain bytes come after a handshake: wait this many times longer. */
const TLS_SNIFF_FACTOR = 10;
const SENDQ_ERROR = encoder.encode("ERROR :SendQ exceeded\r\n");

/** What every connection of one listener shares: one object, not fields in each. */
interface TcpShared {
  readonly opts: TcpListenOptions;
  readonly framing: FramerConfig;
  /** Where HTTP connections go (web on this port), else undefined. */
  readonly web: WebHandoff | undefined;
  readonly sniffMs: number;
}

/** While the first bytes are awaited (web on): who takes the connection, and the silence timer. */
interface PendingSniff {
  readonly accept: Acceptor;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * One TCP connection: its send queue (it is one, by inheritance) and its line framing state
 * in the same object, since every connection has all three (issue 18: three objects were
 * ~400 bytes a connection, one is about half).
 */
class TcpConn extends SendQueue implements Conn, FrameHolder {
  handler: ConnHandler | undefined;
  frameHold: FrameHolder["frameHold"];
  private reported = false;
  closeReason = "Connection closed";
  /** Set when the first bytes were a TLS handshake; then all I/O goes through it. */
  tls: TlsSession | undefined;
  private sniffed = false;
  /** The socket's close callback ran: nothing left to force. */
  socketClosed = false;
  /** Kept from the start: a socket that closed before the core heard of it has none. */
  readonly remoteAddress: string;
  /** Set when the first bytes were HTTP: every byte then goes through it. */
  pipe: WebPipe | undefined;
  /** Waiting for the first bytes to tell HTTP from the rest (web on this port only). */
  private sniffing: PendingSniff | undefined;
  /** No byte has arrived yet: the first ones are sniffed for HTTP. */
  private firstBytes = true;
  /** The core has queued bytes for this socket: too late to hand it to the web server. */
  private sentAny = false;
  /** Handed to the web server after the core had it: the core's writes and close are ignored. */
  private detached = false;

  constructor(
    readonly socket: Socket<TcpConn | undefined>,
    scheduler: FlushScheduler,
    private readonly shared: TcpShared,
  ) {
    super(socket, scheduler, shared.opts.sendQBytes, shared.opts.counts);
    this.remoteAddress = socket.remoteAddress;
  }

  /** Bytes from the socket: the first chunk decides between TLS and plain text. */
  receive(chunk: Uint8Array, tlsContext: SecureContext | undefined): void {
    if (this.tls !== undefined) {
      this.tls.receive(chunk);
      return;
    }
    if (tlsContext !== undefined && !this.sniffed) {
      this.sniffed = true;
      if (looksLikeTls(chunk)) {
        this.tls = new TlsSession(this.socket, tlsContext, {
          data: (plain) => this.onData(plain),
          drain: () => (this.pipe ? this.pipe.clientDrained() : this.drained()),
          error: (err) => {
            if (this.closeReason === "Connection closed") {
              this.closeReason = `TLS error: ${err.message}`;
            }
          },
        });
        // From now on the queue writes plain bytes into the TLS session.
        this.sink = this.tls;
        // The request comes after the handshake: give the handshake time too.
        if (this.sniffing !== undefined) this.restartSniff(TLS_SNIFF_FACTOR);
        this.tls.receive(chunk);
        return;
      }
    }
    this.onData(chunk);
  }

  /** Hand the connection to the core now, or once its first bytes show it is not HTTP. */
  start(accept: Acceptor): void {
    if (this.shared.web === undefined) {
      this.admit(accept);
      return;
    }
    this.sniffing = { accept, timer: undefined };
    this.restartSniff(1);
  }

  private restartSniff(factor: number): void {
    const sniffing = this.sniffing;
    if (sniffing === undefined) return;
    clearTimeout(sniffing.timer);
    sniffing.timer = setTimeout(() => this.admit(sniffing.accept), this.shared.sniffMs * factor);
  }

  /** The first bytes came (or the socket closed): no timer stays armed for this connection. */
  private stopSniffing(): Acceptor | undefined {
    const sniffing = this.sniffing;
    if (sniffing === undefined) return undefined;
    clearTimeout(sniffing.timer);
    this.sniffing = undefined;
    return sniffing.accept;
  }

  private admit(accept: Acceptor): void {
    this.sniffing = undefined;
    this.handler = accept(this);
    if (this.handler === undefined) this.close();
  }

  /** The first bytes decide: HTTP goes to the web server, anything else to the core. */
  private sniffHttp(chunk: Uint8Array): void {
    this.firstBytes = false;
    const accept = this.stopSniffing();
    const http = looksLikeHttp(chunk);
    if (accept !== undefined) {
      if (http) this.openPipe();
      else this.admit(accept);
      return;
    }
    // Admitted after the silent wait (a browser's preconnected socket, a busy
    // machine): while the core has sent it nothing, it can still go to the web
    // server, and the core just sees it leave.
    const handler = this.handler;
    if (http && !this.sentAny && !this.closed && handler !== undefined) {
      this.detached = true;
      this.handler = undefined;
      this.openPipe();
      handler.closed("Web request");
    }
  }

  private openPipe(): void {
    const socket = this.socket;
    this.pipe = new WebPipe(
      {
        remoteAddress: this.remoteAddress,
        write: (d) => (this.tls ?? socket).write(d),
        end: () => (this.tls ?? socket).end(),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      },
      this.shared.web as WebHandoff,
    );
  }

  /**
   * The socket closed before its first bytes told what it was (a failed TLS
   * handshake, a port scan): the core still hears of it, so it is logged with
   * its reason as before web sniffing existed.
   */
  admitIfPending(): void {
    const accept = this.stopSniffing();
    if (accept !== undefined) this.admit(accept);
  }

  peerCertFingerprint(): string | undefined {
    return this.tls?.peerFingerprint();
  }

  get secure(): boolean {
    return this.tls !== undefined;
  }

  get closed(): boolean {
    return this.detached || this.ended || this.closing;
  }

  send(bytes: Uint8Array): void {
    if (this.detached) return;
    this.sentAny = true;
    if (this.push(bytes)) return;
    // The peer is not reading: drop its backlog, say why, and cut it off.
    this.discard();
    this.closeReason = "SendQ exceeded";
    this.closeAfterFlush(SENDQ_ERROR);
    // A peer that stopped reading will not take the last words either: without
    // a hard close its socket (and the kernel's buffer) would outlive the
    // session, uncounted by the per-address cap, an easy way to exhaust fds.
    if (this.blocked) this.socket.terminate();
    // Deferred: we may be inside a fan-out loop over the very room this user leaves.
    queueMicrotask(() => this.report());
  }

  close(lastWords?: Uint8Array): void {
    if (this.detached) return;
    this.closeAfterFlush(lastWords);
    // Closing waits for the queue to drain; a peer that never reads gets a grace period.
    if (this.blocked || this.tls !== undefined) {
      setTimeout(() => {
        if (!this.socketClosed) this.socket.terminate();
      }, this.shared.opts.closeGraceMs).unref();
    }
  }

  /** Tell the core once, whichever way the connection ended. */
  report(): void {
    if (this.reported) return;
    this.reported = true;
    this.handler?.closed(this.closeReason);
  }

  onData(chunk: Uint8Array): void {
    if (this.firstBytes && this.shared.web !== undefined) this.sniffHttp(chunk);
    if (this.pipe !== undefined) {
      this.pipe.fromClient(chunk);
      return;
    }
    if (this.reported) return;
    if (this.counts !== undefined) this.counts.bytesIn += chunk.length;
    const events = frameChunk(this, this.shared.framing, chunk);
    for (const ev of events) {
      if (this.reported || this.handler === undefined) return;
      if (ev.kind === "line") this.handler.line(ev.line, ev.invalidUtf8 === true);
      else this.handler.overlong(ev.bytes);
    }
  }
}

export function listenTcp(
  opts: TcpListenOptions,
  accept: Acceptor,
  scheduler: FlushScheduler,
): TcpListener {
  // Swapped by setTls; read for each new connection's first bytes.
  let tlsContext = opts.tls ? makeSecureContext(opts.tls) : undefined;
  const shared: TcpShared = {
    opts,
    // Telnet users arrive here too; their negotiation bytes are never valid UTF-8 text.
    framing: { maxLineBytes: opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, telnet: true },
    web: opts.web,
    sniffMs: opts.webSniffMs ?? 100,
  };
  const listener: TCPSocketListener<TcpConn | undefined> = Bun.listen<TcpConn | undefined>({
    hostname: opts.hostname,
    port: opts.port,
    ...(opts.reusePort === true ? { reusePort: true } : {}),
    socket: {
      open(socket) {
        const conn = new TcpConn(socket, scheduler, shared);
        socket.data = conn;
        // nc users are never PINGed (they cannot answer); TCP keepalive still
        // finds a peer that vanished without closing, for them and for everyone.
        socket.setKeepAlive(true, opts.keepaliveMs);
        conn.start(accept);
      },
      data(socket, chunk) {
        socket.data?.receive(chunk, tlsContext);
      },
      drain(socket) {
        const conn = socket.data;
        if (conn?.tls !== undefined) conn.tls.rawDrained();
        else if (conn?.pipe !== undefined) conn.pipe.clientDrained();
        else conn?.drained();
      },
      close(socket, err) {
        const conn = socket.data;
        if (conn === undefined) return;
        conn.socketClosed = true;
        conn.admitIfPending();
        conn.pipe?.close();
        conn.tls?.destroy();
        conn.markClosed();
        if (err !== undefined && conn.closeReason === "Connection closed") {
          conn.closeReason = `Connection error: ${err.message}`;
        }
        conn.report();
      },
      error(socket, err) {
        const conn = socket.data;
        if (conn !== undefined && conn.closeReason === "Connection closed") {
          conn.closeReason = `Connection error: ${err.message}`;
        }
      },
    },
  });
  return {
    hostname: listener.hostname,
    port: listener.port,
    stop() {
      listener.stop(false);
    },
    setTls(identity) {
      if (tlsContext === undefined)
        throw new Error("TLS was not on at start; restart to turn it on");
      tlsContext = makeSecureContext(identity);
    },
  };
}
