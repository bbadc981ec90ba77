/**
 * A WebSocket IRC test client (Bun's own WebSocket), for the web front's
 * wire-level tests. Like TestClient: `expect` scans from a cursor, every wait
 * is bounded and fails with what was received.
 *
 *   const c = await WsClient.connect(`ws://127.0.0.1:${port}/`, { protocols: ["text.ircv3.net"] });
 *   await c.register("alice");
 *   c.send("JOIN #room");
 *   await c.expect(/ JOIN #room$/);
 */

const DEFAULT_TIMEOUT = 3000;

export interface WsConnectOptions {
  protocols?: string[];
  headers?: Record<string, string>;
  /** Bun's client TLS options (e.g. a self-signed test certificate). */
  tls?: { rejectUnauthorized: boolean };
}

export class WsClient {
  /** Every message received, decoded, in order. */
  readonly lines: string[] = [];
  /** Whether each message arrived as a binary frame. */
  readonly binary: boolean[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  closeCode: number | undefined;
  closeReason = "";
  readonly closedPromise: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    this.closedPromise = new Promise((resolve) => {
      ws.addEventListener("close", (e) => {
        this.closeCode = e.code;
        this.closeReason = e.reason;
        resolve();
        this.wake?.();
      });
    });
    ws.addEventListener("message", (e) => {
      const isBinary = typeof e.data !== "string";
      this.binary.push(isBinary);
      this.lines.push(isBinary ? new TextDecoder().decode(e.data as ArrayBuffer) : e.data);
      this.wake?.();
    });
  }

  /** Open a socket; rejects (with the close code) if the server refuses the upgrade. */
  static connect(url: string, opts: WsConnectOptions = {}): Promise<WsClient> {
    const ws = new WebSocket(url, {
      ...(opts.protocols ? { protocols: opts.protocols } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
    } as unknown as string[]);
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("WebSocket did not open in 3 s")), 3000);
      ws.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.addEventListener("close", (e) => {
        clearTimeout(timer);
        reject(new Error(`WebSocket closed before opening: ${e.code}`));
      });
    });
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(line: string | Uint8Array): void {
    this.ws.send(line);
  }

  async expect(pattern: RegExp | string, timeoutMs = DEFAULT_TIMEOUT): Promise<string> {
    const test = (l: string) =>
      typeof pattern === "string" ? l.includes(pattern) : pattern.test(l);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.lines.length) {
        const line = this.lines[this.cursor++] as string;
        if (test(line)) return line;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closeCode !== undefined) {
        throw new Error(
          `no message matching ${pattern} (closed: ${this.closeCode ?? "no"}); got:\n${this.lines.join("\n")}`,
        );
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  async register(nick: string): Promise<void> {
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :${nick}`);
    await this.expect(/ (376|422) /);
  }

  async waitClosed(timeoutMs = DEFAULT_TIMEOUT): Promise<void> {
    const timer = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("WebSocket did not close")), timeoutMs),
    );
    await Promise.race([this.closedPromise, timer]);
  }

  close(): void {
    this.ws.close();
  }
}
