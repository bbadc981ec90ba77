/**
 * Bun.listen adapter: the only place server sockets are touched. Bytes in go
 * through a LineFramer to the core's ConnHandler; bytes out go through a capped
 * SendQueue flushed by the shared FlushScheduler.
 */
import type { Socket, TCPSocketListener } from "bun";
import { LineFramer } from "../protocol/framing.ts";
import type { Acceptor, Conn, ConnHandler } from "./conn.ts";
import { type FlushScheduler, SendQueue } from "./output.ts";

export interface TcpListenOptions {
  hostname: string;
  port: number;
  /** Send-queue cap per connection, in bytes. */
  sendQBytes: number;
  /** Framing limit per line, in bytes. */
  maxLineBytes?: number;
  tls?: { cert: string; key: string };
}

export interface TcpListener {
  readonly hostname: string;
  readonly port: number;
  /** Stop accepting; existing connections stay until the core closes them. */
  stop(): void;
}

const encoder = new TextEncoder();
const SENDQ_ERROR = encoder.encode("ERROR :SendQ exceeded\r\n");

class TcpConn implements Conn {
  handler: ConnHandler | undefined;
  readonly queue: SendQueue;
  readonly framer: LineFramer;
  private reported = false;
  closeReason = "Connection closed";

  constructor(
    readonly socket: Socket<TcpConn | undefined>,
    scheduler: FlushScheduler,
    opts: TcpListenOptions,
  ) {
    this.queue = new SendQueue(socket, scheduler, opts.sendQBytes);
    this.framer = new LineFramer(opts.maxLineBytes);
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress;
  }

  get queuedBytes(): number {
    return this.queue.queuedBytes;
  }

  get closed(): boolean {
    return this.queue.closed || this.queue.closing;
  }

  send(bytes: Uint8Array): void {
    if (this.queue.push(bytes)) return;
    // The peer is not reading: drop its backlog, say why, and cut it off.
    this.queue.discard();
    this.closeReason = "SendQ exceeded";
    this.queue.closeAfterFlush(SENDQ_ERROR);
    // Deferred: we may be inside a fan-out loop over the very room this user leaves.
    queueMicrotask(() => this.report());
  }

  close(lastWords?: Uint8Array): void {
    this.queue.closeAfterFlush(lastWords);
  }

  /** Tell the core once, whichever way the connection ended. */
  report(): void {
    if (this.reported) return;
    this.reported = true;
    this.handler?.closed(this.closeReason);
  }

  onData(chunk: Uint8Array): void {
    if (this.reported) return;
    const events = this.framer.push(chunk);
    for (const ev of events) {
      if (this.reported || this.handler === undefined) return;
      if (ev.kind === "line") this.handler.line(ev.line);
      else this.handler.overlong(ev.bytes);
    }
  }
}

export function listenTcp(
  opts: TcpListenOptions,
  accept: Acceptor,
  scheduler: FlushScheduler,
): TcpListener {
  const listener: TCPSocketListener<TcpConn | undefined> = Bun.listen<TcpConn | undefined>({
    hostname: opts.hostname,
    port: opts.port,
    ...(opts.tls ? { tls: opts.tls } : {}),
    socket: {
      open(socket) {
        const conn = new TcpConn(socket, scheduler, opts);
        socket.data = conn;
        conn.handler = accept(conn);
        if (conn.handler === undefined) conn.close();
      },
      data(socket, chunk) {
        socket.data?.onData(chunk);
      },
      drain(socket) {
        socket.data?.queue.drained();
      },
      close(socket, err) {
        const conn = socket.data;
        if (conn === undefined) return;
        conn.queue.markClosed();
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
  };
}
