/**
 * A raw IRC test client over a real TCP socket, for integration tests.
 *
 *   const c = await TestClient.connect(port);
 *   await c.register("alice", { caps: ["server-time"] });  // waits for 001..376/422
 *   c.send("JOIN #room");
 *   const line = await c.expect(/ JOIN #room$/);           // bounded wait (default 3 s)
 *   c.close();
 *
 * `expect` scans the lines received since the last match (a cursor), so one
 * reply is never matched twice and a line that arrived before the call counts.
 * Every wait has a timeout and fails with the lines seen, so a broken server
 * gives a readable failure instead of a hung test.
 */
import type { Socket } from "bun";

const DEFAULT_TIMEOUT = 3000;

type Waiter = { test: (line: string) => boolean; resolve: (line: string) => void };

export class TestClient {
  /** Every line received, in order, without CR LF. */
  readonly lines: string[] = [];
  private cursor = 0;
  private partial = "";
  private waiter: Waiter | undefined;
  private closedResolve: (() => void) | undefined;
  readonly closedPromise: Promise<void>;
  closed = false;
  private readonly decoder = new TextDecoder();

  private constructor(private socket: Socket<undefined> | undefined) {
    this.closedPromise = new Promise((r) => {
      this.closedResolve = r;
    });
  }

  static async connect(port: number, host = "127.0.0.1"): Promise<TestClient> {
    const client = new TestClient(undefined);
    client.socket = await Bun.connect<undefined>({
      hostname: host,
      port,
      socket: {
        data(_s, chunk) {
          client.onData(chunk);
        },
        drain() {
          client.writePending();
        },
        close() {
          client.onClose();
        },
        error() {
          client.onClose();
        },
      },
    });
    return client;
  }

  private onData(chunk: Uint8Array): void {
    this.partial += this.decoder.decode(chunk, { stream: true });
    let nl = this.partial.indexOf("\n");
    while (nl !== -1) {
      let line = this.partial.slice(0, nl);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      this.partial = this.partial.slice(nl + 1);
      this.lines.push(line);
      nl = this.partial.indexOf("\n");
    }
    this.check();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.partial !== "") {
      this.lines.push(this.partial);
      this.partial = "";
      this.check();
    }
    this.closedResolve?.();
  }

  private check(): void {
    const w = this.waiter;
    if (w === undefined) return;
    for (let i = this.cursor; i < this.lines.length; i++) {
      const line = this.lines[i] as string;
      if (w.test(line)) {
        this.cursor = i + 1;
        this.waiter = undefined;
        w.resolve(line);
        return;
      }
    }
  }

  /** Send one line; CR LF is added. */
  send(line: string): void {
    this.sendRaw(`${line}\r\n`);
  }

  /**
   * Send bytes exactly as given (for framing and bad-input tests). What the
   * kernel does not take at once is queued and written on drain, in order, so
   * large payloads are safe.
   */
  sendRaw(data: string | Uint8Array): void {
    if (this.closed || this.socket === undefined) throw new Error("TestClient: socket is closed");
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.pending.push(bytes);
    this.writePending();
  }

  private pending: Uint8Array[] = [];

  private writePending(): void {
    const socket = this.socket;
    while (socket !== undefined && !this.closed && this.pending.length > 0) {
      const head = this.pending[0] as Uint8Array;
      const n = socket.write(head);
      if (n < 0) return;
      if (n < head.length) {
        this.pending[0] = head.subarray(n);
        return; // the rest goes out on drain
      }
      this.pending.shift();
    }
  }

  /**
   * Wait for the next line (after the previous match) matching `pattern`: a
   * RegExp, or a string the line must contain. Rejects after `timeoutMs`.
   */
  expect(pattern: RegExp | string, timeoutMs = DEFAULT_TIMEOUT): Promise<string> {
    const test =
      typeof pattern === "string"
        ? (l: string) => l.includes(pattern)
        : (l: string) => pattern.test(l);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        const recent = this.lines.slice(Math.max(this.cursor, this.lines.length - 15));
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${String(pattern)}; ` +
              `${this.closed ? "socket closed; " : ""}recent lines:\n  ${recent.join("\n  ")}`,
          ),
        );
      }, timeoutMs);
      this.waiter = {
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.check();
    });
  }

  /** Resolve true if a matching line arrives within `ms`, false otherwise (for "must NOT see"). */
  async sees(pattern: RegExp | string, ms: number): Promise<boolean> {
    try {
      await this.expect(pattern, ms);
      return true;
    } catch {
      return false;
    }
  }

  /** Lines received after the last `expect` match, consumed. */
  drain(): string[] {
    const out = this.lines.slice(this.cursor);
    this.cursor = this.lines.length;
    return out;
  }

  /**
   * NICK/USER (with CAP REQ of `caps`, and PASS), then wait for the end of the
   * welcome burst (376 or 422).
   */
  async register(
    nick: string,
    opts: { caps?: string[]; password?: string; user?: string; realname?: string } = {},
  ): Promise<void> {
    if (opts.caps && opts.caps.length > 0) this.send("CAP LS 302");
    if (opts.password !== undefined) this.send(`PASS ${opts.password}`);
    this.send(`NICK ${nick}`);
    this.send(`USER ${opts.user ?? nick} 0 * :${opts.realname ?? nick}`);
    if (opts.caps && opts.caps.length > 0) {
      this.send(`CAP REQ :${opts.caps.join(" ")}`);
      await this.expect(/ CAP \S+ ACK /);
      this.send("CAP END");
    }
    await this.expect(/ (376|422) /);
  }

  /** Wait until the server closes the connection. */
  waitClosed(timeoutMs = DEFAULT_TIMEOUT): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`connection still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
      void this.closedPromise.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    if (this.socket !== undefined && !this.closed) this.socket.end();
    this.closed = true;
    this.closedResolve?.();
  }
}
