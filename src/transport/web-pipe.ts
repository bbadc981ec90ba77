/**
 * The hand-off from the sniffing listener to the internal web server: a
 * connection whose first bytes were HTTP is piped, byte for byte, to Bun.serve
 * listening on 127.0.0.1 (Bun.serve cannot adopt a socket we already hold).
 * Backpressure is kept both ways: a side that stops taking bytes pauses the
 * other's reading, so a browser that stops reading makes the internal server's
 * WebSocket back up, and the core cuts it off exactly like a slow TCP client.
 */
import type { Socket } from "bun";

/** The client side of the pipe: the sniffed connection (plain or TLS). */
export interface PipeClient {
  readonly remoteAddress: string;
  /** Bytes accepted (possibly fewer), or -1 once closed. */
  write(data: Uint8Array): number;
  end(): void;
  pause(): void;
  resume(): void;
}

/**
 * Who is behind each pipe, by the pipe's local port on 127.0.0.1: the internal
 * server asks it for the real client address. Only pipes we opened are in it,
 * so a local process that connects to the internal port directly is refused.
 */
export class PipeAddresses {
  private readonly byPort = new Map<number, string>();
  set(port: number, address: string): void {
    this.byPort.set(port, address);
  }
  get(port: number): string | undefined {
    return this.byPort.get(port);
  }
  delete(port: number): void {
    this.byPort.delete(port);
  }
}

export interface WebHandoff {
  /** Where the internal web server listens. */
  readonly port: number;
  readonly addresses: PipeAddresses;
  /** Open pipes allowed from one address (the core's cap per address, for HTTP too). */
  readonly maxPerAddress: number;
  /** Open pipes per address now. */
  readonly open: Map<string, number>;
}

const encoder = new TextEncoder();
/** The answer to one address too many: HTTP, so the browser shows why. */
const TOO_MANY = encoder.encode(
  "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
    "Connection: close\r\nContent-Length: 38\r\n\r\nToo many connections from your address\n",
);

/** One client's pipe to the internal server. Bytes before the upstream opens are held. */
export class WebPipe {
  private upstream: Socket<undefined> | undefined;
  private held: Uint8Array[] = [];
  /** Upstream bytes the client refused: waiting for the client's drain. */
  private toClient: Uint8Array | undefined;
  /** Client bytes the upstream refused: waiting for the upstream's drain. */
  private toUpstream: Uint8Array | undefined;
  private done = false;
  private localPort = 0;
  private counted = false;

  constructor(
    private readonly client: PipeClient,
    private readonly handoff: WebHandoff,
  ) {
    const ip = client.remoteAddress;
    const n = handoff.open.get(ip) ?? 0;
    if (n >= handoff.maxPerAddress) {
      this.done = true;
      client.write(TOO_MANY);
      client.end();
      return;
    }
    handoff.open.set(ip, n + 1);
    this.counted = true;
    Bun.connect<undefined>({
      hostname: "127.0.0.1",
      port: handoff.port,
      socket: {
        open: (s) => this.opened(s),
        data: (_s, chunk) => this.fromUpstream(chunk),
        drain: () => this.upstreamDrained(),
        close: () => this.close(),
        error: () => this.close(),
      },
    }).catch(() => this.close());
  }

  private opened(s: Socket<undefined>): void {
    if (this.done) {
      s.end();
      return;
    }
    this.upstream = s;
    this.localPort = s.localPort;
    this.handoff.addresses.set(this.localPort, this.client.remoteAddress);
    const held = this.held;
    this.held = [];
    for (const chunk of held) this.fromClient(chunk);
  }

  /** Bytes from the browser (already decrypted when behind TLS). */
  fromClient(chunk: Uint8Array): void {
    if (this.done) return;
    if (this.upstream === undefined || this.toUpstream !== undefined) {
      // Copy what waits: Bun reuses the buffer it hands to `data` once the callback returns.
      if (this.upstream === undefined) this.held.push(Uint8Array.from(chunk));
      else this.toUpstream = concat(this.toUpstream as Uint8Array, chunk);
      return;
    }
    const n = this.upstream.write(chunk);
    if (n < 0) this.close();
    else if (n < chunk.length) {
      this.toUpstream = chunk.slice(n);
      this.client.pause();
    }
  }

  private fromUpstream(chunk: Uint8Array): void {
    if (this.done) return;
    if (this.toClient !== undefined) {
      this.toClient = concat(this.toClient, chunk);
      return;
    }
    const n = this.client.write(chunk);
    if (n < 0) this.close();
    else if (n < chunk.length) {
      this.toClient = chunk.slice(n);
      this.upstream?.pause();
    }
  }

  /** The client socket can take more bytes. */
  clientDrained(): void {
    const rest = this.toClient;
    if (rest === undefined || this.done) return;
    const n = this.client.write(rest);
    if (n < 0) this.close();
    else if (n < rest.length) this.toClient = rest.subarray(n);
    else {
      this.toClient = undefined;
      this.upstream?.resume();
    }
  }

  private upstreamDrained(): void {
    const rest = this.toUpstream;
    if (rest === undefined || this.done || this.upstream === undefined) return;
    const n = this.upstream.write(rest);
    if (n < 0) this.close();
    else if (n < rest.length) this.toUpstream = rest.subarray(n);
    else {
      this.toUpstream = undefined;
      this.client.resume();
    }
  }

  /** Either side ended: end the other. Idempotent. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.held = [];
    if (this.localPort !== 0) this.handoff.addresses.delete(this.localPort);
    if (this.counted) {
      const ip = this.client.remoteAddress;
      const n = (this.handoff.open.get(ip) ?? 1) - 1;
      if (n <= 0) this.handoff.open.delete(ip);
      else this.handoff.open.set(ip, n);
    }
    this.upstream?.end();
    this.client.end();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
