/**
 * IRC over WebSocket (the IRCv3 WebSocket spec) on Bun.serve's own WebSocket
 * server: each message is one IRC line without CR LF, as text
 * (`text.ircv3.net`, also when no subprotocol is asked for) or as binary
 * (`binary.ircv3.net`). A `WsConn` is a `Conn` like a TCP one: its output goes
 * through its server's `WsHub` (ws-fanout.ts), flushed by the shared scheduler
 * (history commits first), with room messages published once for all members,
 * and the same "SendQ exceeded" cut-off for a client that stops reading.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { Acceptor, Conn, ConnHandler } from "./conn.ts";
import { HubMember, type WsHub } from "./ws-fanout.ts";

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
 * Bun's own per-socket limit, a last resort above our cap (checked after every
 * flush) plus what one flush may add: Bun drops a send past it, silently.
 */
const BACKPRESSURE_MARGIN = 2 * 1024 * 1024;
/** RFC 6455 close codes. */
const CLOSE_NORMAL = 1000;

const decoder = new TextDecoder();

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
  /** The output side: queued bytes, topics, cut-off (shared log with the server's other sockets). */
  readonly out: HubMember;
  /** The core's room fan-out hook: this socket's topics, when its server publishes room messages. */
  readonly fanout: HubMember | undefined;
  closeReason = "Connection closed";
  socketClosed = false;
  private reported = false;

  constructor(
    private readonly ws: ServerWebSocket<WsData>,
    private readonly hub: WsHub,
  ) {
    this.out = new HubMember(hub, ws, ws.data.binary, () => this.sendQExceeded());
    this.fanout = hub.topics ? this.out : undefined;
    hub.join(this.out);
  }

  get remoteAddress(): string {
    return this.ws.data.remoteAddress;
  }

  get queuedBytes(): number {
    return this.socketClosed ? 0 : this.out.pending + this.ws.getBufferedAmount();
  }

  get closed(): boolean {
    return this.out.closing;
  }

  send(bytes: Uint8Array): void {
    if (!this.hub.send(this.out, bytes)) this.sendQExceeded();
  }

  close(lastWords?: Uint8Array): void {
    this.hub.close(this.out, lastWords);
  }

  /** Past the cap, queued here or held by Bun: told so and dropped, like a slow TCP client. */
  private sendQExceeded(): void {
    if (this.out.dead) return;
    this.closeReason = "SendQ exceeded";
    this.hub.cutOff(this.out, "ERROR :SendQ exceeded", "SendQ exceeded");
    queueMicrotask(() => this.report());
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
  hub: WsHub,
  opts: WsOptions,
): WebSocketHandler<WsData> {
  return {
    maxPayloadLength: opts.maxLineBytes,
    idleTimeout: opts.idleTimeoutS,
    sendPings: true,
    // Our cap (WsHub) cuts a slow reader off first; Bun's limit stays out of the way.
    backpressureLimit: opts.sendQBytes + BACKPRESSURE_MARGIN,
    closeOnBackpressureLimit: false,
    // A room message's sender is left out by the hub itself (ws.publish skips only its own socket).
    publishToSelf: false,
    open(ws) {
      const conn = new WsConn(ws, hub);
      ws.data.conn = conn;
      conn.handler = accept(conn);
      if (conn.handler === undefined) conn.close();
    },
    message(ws, message) {
      ws.data.conn?.receive(message);
    },
    close(ws, code, reason) {
      const conn = ws.data.conn;
      if (conn === undefined) return;
      conn.socketClosed = true;
      hub.gone(conn.out);
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
