/**
 * IRC over WebSocket (the IRCv3 WebSocket spec) on Bun.serve's own WebSocket
 * server: each message is one IRC line without CR LF, as text
 * (`text.ircv3.net`, also when no subprotocol is asked for) or as binary
 * (`binary.ircv3.net`). A `WsConn` is a `Conn` like a TCP one: the same capped
 * send queue flushed by the shared scheduler (history commits first), the same
 * "SendQ exceeded" cut-off for a client that stops reading.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { Acceptor, Conn, ConnHandler } from "./conn.ts";
import { type ByteSink, type FlushScheduler, SendQueue } from "./output.ts";
import { LineCache, textsOf } from "./ws-lines.ts";

export const TEXT_PROTOCOL = "text.ircv3.net";
export const BINARY_PROTOCOL = "binary.ircv3.net";

/** What each WebSocket carries from the upgrade to its handlers. */
export interface WsData {
  readonly remoteAddress: string;
  readonly binary: boolean;
  conn?: WsConn;
}

export interface WsOptions {
  sendQBytes: number;
  /** The largest message accepted; a bigger one closes the socket with 1009. */
  maxLineBytes: number;
  closeGraceMs: number;
  /** Seconds of silence before Bun's keep-alive ping goes unanswered and the socket closes. */
  idleTimeoutS: number;
}

/**
 * Bytes Bun may hold for one socket before our queue stops handing it more.
 * At 64 KiB a 500-member room under load blocked sockets that were reading
 * fine (one 1 ms flush can carry that much), and each then waited for Bun's
 * drain: the fan-out stalled with the server mostly idle (bench/findings.md).
 * Bun's own limit stays above this plus one flush, so it never drops a send.
 */
const HIGH_WATER = 1024 * 1024;
/** RFC 6455 close codes. */
const CLOSE_NORMAL = 1000;
const CLOSE_POLICY = 1008;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SENDQ_ERROR = encoder.encode("ERROR :SendQ exceeded\r\n");

/** The subprotocol to answer with: the first the client offers that we speak. */
export function chooseProtocol(offered: string | null): string | undefined {
  if (offered === null) return undefined;
  for (const p of offered.split(",")) {
    const name = p.trim();
    if (name === TEXT_PROTOCOL || name === BINARY_PROTOCOL) return name;
  }
  return undefined;
}

export class WsConn implements Conn {
  readonly transport = "web";
  handler: ConnHandler | undefined;
  readonly queue: SendQueue;
  closeReason = "Connection closed";
  socketClosed = false;
  private reported = false;
  private readonly binary: boolean;

  constructor(
    private readonly ws: ServerWebSocket<WsData>,
    private readonly scheduler: FlushScheduler,
    private readonly opts: WsOptions,
    private readonly lines: LineCache,
  ) {
    const sink: ByteSink = {
      write: (data) => this.writeChunks([data], data.length),
      writeChunks: (chunks, bytes) => this.writeChunks(chunks, bytes),
      end: () => ws.close(CLOSE_NORMAL),
    };
    this.queue = new SendQueue(sink, scheduler, opts.sendQBytes);
    this.binary = ws.data.binary;
  }

  get remoteAddress(): string {
    return this.ws.data.remoteAddress;
  }

  get queuedBytes(): number {
    return this.queue.queuedBytes;
  }

  get closed(): boolean {
    return this.queue.closed || this.queue.closing;
  }

  /**
   * ByteSink: one message per line; nothing taken while Bun still holds a
   * backlog. This runs once per recipient per flush and most chunks are shared
   * by every recipient of an event, so the lines come from the flush's cache
   * (cut, and decoded for text, once per chunk): a recipient costs one native
   * send per line. Corked, so the turn's messages leave in one write.
   */
  private writeChunks(chunks: readonly Uint8Array[], bytes: number): number {
    if (this.socketClosed) return -1;
    const ws = this.ws;
    if (ws.getBufferedAmount() > HIGH_WATER) return 0;
    const turn = this.scheduler.turn;
    ws.cork(() => {
      for (const chunk of chunks) {
        const lines = this.lines.get(chunk, turn);
        // Text frames must be UTF-8: invalid bytes become U+FFFD, as on input.
        if (this.binary) for (const v of lines.views) ws.sendBinary(v);
        else for (const t of textsOf(lines)) ws.sendText(t);
      }
    });
    return bytes;
  }

  send(bytes: Uint8Array): void {
    if (this.queue.push(bytes)) return;
    this.queue.discard();
    this.closeReason = "SendQ exceeded";
    this.queue.closeAfterFlush(SENDQ_ERROR);
    // A reader that stalled will not take the last words: cut it off now.
    if (this.queue.blocked) this.ws.close(CLOSE_POLICY, "SendQ exceeded");
    queueMicrotask(() => this.report());
  }

  close(lastWords?: Uint8Array): void {
    this.queue.closeAfterFlush(lastWords);
    if (this.queue.blocked) {
      setTimeout(() => {
        if (!this.socketClosed) this.ws.terminate();
      }, this.opts.closeGraceMs).unref();
    }
  }

  /** A message from the client: one IRC line (a trailing CR LF, if sent, is dropped). */
  receive(message: string | Uint8Array): void {
    const text = typeof message === "string" ? message : decoder.decode(message);
    // Lenient: a client that packs several lines into one message still works.
    for (const line of text.split(/\r\n|\r|\n/)) {
      if (this.reported || this.handler === undefined) return;
      if (line !== "") this.handler.line(line);
    }
  }

  report(): void {
    if (this.reported) return;
    this.reported = true;
    this.handler?.closed(this.closeReason);
  }
}

/** Bun.serve's `websocket` handlers, each socket becoming a `Conn` the core accepts. */
export function wsHandlers(
  accept: Acceptor,
  scheduler: FlushScheduler,
  opts: WsOptions,
): WebSocketHandler<WsData> {
  const lines = new LineCache();
  return {
    maxPayloadLength: opts.maxLineBytes,
    idleTimeout: opts.idleTimeoutS,
    sendPings: true,
    // Our own queue caps what a socket may owe; Bun's limit stays out of the way.
    backpressureLimit: opts.sendQBytes + 2 * HIGH_WATER,
    closeOnBackpressureLimit: false,
    open(ws) {
      const conn = new WsConn(ws, scheduler, opts, lines);
      ws.data.conn = conn;
      conn.handler = accept(conn);
      if (conn.handler === undefined) conn.close();
    },
    message(ws, message) {
      ws.data.conn?.receive(message);
    },
    drain(ws) {
      ws.data.conn?.queue.drained();
    },
    close(ws, code, reason) {
      const conn = ws.data.conn;
      if (conn === undefined) return;
      conn.socketClosed = true;
      conn.queue.markClosed();
      // Bun closes an oversized message with 1009 and reports "Received too big message".
      if ((code === 1009 || /too big/i.test(reason)) && conn.closeReason === "Connection closed") {
        conn.closeReason = "Message too big";
      } else if (
        code !== CLOSE_NORMAL &&
        code !== 1001 &&
        conn.closeReason === "Connection closed"
      ) {
        conn.closeReason = reason ? `Connection closed: ${reason}` : "Connection closed";
      }
      conn.report();
    },
  };
}
