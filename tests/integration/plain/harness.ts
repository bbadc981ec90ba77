/**
 * A real server on 127.0.0.1 (port 0) with the plain front, and raw-socket
 * clients that read lines and wait for them event-driven, with a bounded timeout.
 */
import type { Socket } from "bun";
import { type RunningServer, startServer as startChat } from "../../../src/cli/start-server.ts";
import type { Limits } from "../../../src/core/limits.ts";
import { MemoryStore } from "../../../src/store/memory.ts";

export interface TestServer {
  port: number;
  running: RunningServer;
  /** What the server logged (connects, disconnects, internal errors). */
  logs: string[];
  stop(): Promise<void>;
}

/** The server as `chat serve` wires it (plain front included), on 127.0.0.1 port 0. */
export function startServer(
  opts: { password?: string; limits?: Partial<Limits> } = {},
): TestServer {
  const store = new MemoryStore({ history: 100 });
  const logs: string[] = [];
  const running = startChat({
    host: "127.0.0.1",
    port: 0,
    store,
    log: (line) => logs.push(line),
    ...(opts.password === undefined ? {} : { password: opts.password }),
    // Fast human detection so a silent nc user is greeted without a long wait.
    limits: { plainDetectMs: 150, tickMs: 25, ...opts.limits },
  });
  return {
    port: running.port,
    running,
    logs,
    async stop() {
      await running.stop();
      store.close();
    },
  };
}

const WAIT_MS = 3000;

/** A line-oriented TCP client, like `nc` (plain user) or a bare IRC client. */
export class LineClient {
  /** Every line received, CR LF removed, in order. */
  readonly lines: string[] = [];
  /** Raw bytes received, to check nothing unsafe reached the terminal. */
  readonly raw: number[] = [];
  private cursor = 0;
  private partial = "";
  private waiters: (() => void)[] = [];
  private socket: Socket<undefined> | undefined;
  closed = false;

  static async connect(port: number): Promise<LineClient> {
    const c = new LineClient();
    const decoder = new TextDecoder();
    c.socket = await Bun.connect<undefined>({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) {
          for (const b of chunk) c.raw.push(b);
          c.partial += decoder.decode(chunk, { stream: true });
          let nl = c.partial.indexOf("\n");
          while (nl !== -1) {
            c.lines.push(c.partial.slice(0, nl).replace(/\r$/, ""));
            c.partial = c.partial.slice(nl + 1);
            nl = c.partial.indexOf("\n");
          }
          c.wake();
        },
        close() {
          c.closed = true;
          c.wake();
        },
      },
    });
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket?.write(bytes);
  }

  send(...lines: string[]): void {
    this.socket?.write(lines.map((l) => `${l}\r\n`).join(""));
  }

  /**
   * The next line (after the previous match) that matches; lines before it are
   * skipped. Rejects with what arrived if none comes within the timeout.
   */
  async waitFor(pattern: RegExp | string, timeoutMs = WAIT_MS): Promise<string> {
    const test = (l: string): boolean =>
      typeof pattern === "string" ? l.includes(pattern) : pattern.test(l);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.cursor; i < this.lines.length; i++) {
        const l = this.lines[i] as string;
        if (test(l)) {
          this.cursor = i + 1;
          return l;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new Error(
          `no line matching ${String(pattern)} (${this.closed ? "connection closed" : "timed out"}); got:\n${this.lines.slice(this.cursor).join("\n")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("connection still open");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Lines received after the last match, for "nothing else arrived" checks. */
  get unread(): string[] {
    return this.lines.slice(this.cursor);
  }

  close(): void {
    this.socket?.end();
    this.closed = true;
  }
}

/** A plain (nc) user who picked `nick` and is in #lobby. */
export async function plainUser(port: number, nick: string): Promise<LineClient> {
  const c = await LineClient.connect(port);
  c.send(nick);
  await c.waitFor(`*** Hello ${nick}!`);
  await c.waitFor(/^\*\*\* You are in #lobby now/);
  return c;
}

/** A bare IRC client registered as `nick` and joined to `channel`. */
export async function ircUser(port: number, nick: string, channel = "#lobby"): Promise<LineClient> {
  const c = await LineClient.connect(port);
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick} test`);
  await c.waitFor(/^:\S+ 001 /);
  if (channel !== "") {
    c.send(`JOIN ${channel}`);
    await c.waitFor(new RegExp(`^:${nick}!\\S+ JOIN :?${channel}$`));
    await c.waitFor(/ 366 /);
  }
  return c;
}
