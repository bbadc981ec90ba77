/**
 * End-to-end harness for `chat join`: the compiled binary as server and
 * client, clients under a real PTY, and a tiny terminal emulator so tests
 * assert on what a person would see (not on raw escape sequences).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket, Subprocess, TCPSocketListener } from "bun";
import { CHAT_BINARY, ensureChatBinary, REPO_ROOT } from "../../helpers/binary.ts";
import { serveCommand, spawnServe } from "../../helpers/serve-process.ts";

export const root = REPO_ROOT;
export const bin = CHAT_BINARY;
const WAIT_MS = 8000;

/** Build dist/chat when it is missing or older than src/. */
export const ensureBinary = ensureChatBinary;

/** A private HOME so known_servers, certificates and data never touch the real ones. */
export function makeHome(): { dir: string; env: Record<string, string>; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "chat-e2e-client-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CONFIG_HOME: join(dir, "config"),
    TERM: "xterm-256color",
    TZ: "UTC",
    USER: "tester",
  };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resolve when `check` returns a value, re-checking on every `poke`; reject after `ms`. */
class Waiter {
  private waiters: (() => void)[] = [];

  poke(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until<T>(check: () => T | undefined, ms: number, what: () => string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export interface ServerProc {
  port: number;
  proc: Subprocess;
  output(): string;
  /** Ctrl-C, as the host would: a clean stop that flushes history. */
  stop(): Promise<void>;
}

export async function startServer(
  env: Record<string, string>,
  args: string[] = ["--db", ":memory:"],
  port = 0,
): Promise<ServerProc> {
  const server = await spawnServe(serveCommand(["--no-flood-limit", ...args], "binary", port), {
    env,
    timeoutMs: WAIT_MS,
  });
  return {
    port: server.port,
    proc: server.proc,
    output: server.output,
    stop: () => server.stop("SIGINT"),
  };
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Just enough of a VT100 to read the client's screen: printable text with
 * wide characters and autowrap, CR, LF, erase-line, cursor moves. Colours,
 * bracketed paste and bells are ignored. Rows are kept as an unbounded list
 * (scrollback included), so tests can look at everything ever shown.
 */
export class Term {
  rows: string[][] = [[]];
  /** The first row of the screen since the last clear (ESC [2J). */
  top = 0;
  x = 0;
  y = 0;
  bells = 0;
  private carry = "";

  constructor(readonly cols: number) {}

  private row(): string[] {
    while (this.rows.length <= this.y) this.rows.push([]);
    return this.rows[this.y] as string[];
  }

  feed(chunk: string): void {
    const s = this.carry + chunk;
    this.carry = "";
    let i = 0;
    while (i < s.length) {
      const c = s[i] as string;
      if (c === "\x1b") {
        const m = /^\x1b\[([?0-9;]*)([@-~])/.exec(s.slice(i));
        if (m === null) {
          if (s.length - i < 16) {
            this.carry = s.slice(i);
            return;
          }
          i++;
          continue;
        }
        this.csi(m[1] ?? "", m[2] ?? "");
        i += m[0].length;
        continue;
      }
      if (c === "\r") this.x = 0;
      else if (c === "\n") {
        this.y++;
        this.row();
      } else if (c === "\x07") this.bells++;
      else if (c === "\b") this.x = Math.max(0, this.x - 1);
      else if (c >= " ") {
        // Take one grapheme cluster (emoji with modifiers, accents) as one glyph.
        let end = i + 1;
        while (end < s.length && (s[end] as string) >= " " && s[end] !== "\x1b") end++;
        const run = s.slice(i, end);
        for (const { segment } of segmenter.segment(run)) this.put(segment);
        i = end;
        continue;
      }
      i++;
    }
  }

  private put(g: string): void {
    const w = Bun.stringWidth(g);
    if (w === 0) {
      const r = this.row();
      if (this.x > 0) r[this.x - 1] = (r[this.x - 1] ?? " ") + g;
      return;
    }
    if (this.x + w > this.cols) {
      this.y++;
      this.x = 0;
    }
    const r = this.row();
    while (r.length < this.x) r.push(" ");
    r[this.x] = g;
    if (w === 2) r[this.x + 1] = "";
    this.x += w;
  }

  private csi(params: string, final: string): void {
    const n = Number(params.replace(/^\?/, "").split(";")[0] || "0");
    switch (final) {
      case "K": {
        const r = this.row();
        if (n === 2) r.length = 0;
        else if (n === 0) r.length = Math.min(r.length, this.x);
        break;
      }
      case "C":
        this.x = Math.min(this.cols - 1, this.x + Math.max(1, n));
        break;
      case "D":
        this.x = Math.max(0, this.x - Math.max(1, n));
        break;
      case "G":
        this.x = Math.max(0, n - 1);
        break;
      case "A":
        this.y = Math.max(0, this.y - Math.max(1, n));
        break;
      case "J":
        if (n === 2) {
          this.rows.push([]);
          this.y = this.rows.length - 1;
          this.top = this.y;
          this.x = 0;
        } else if (n === 0) {
          // Erase below: the rest of this row and every row under it.
          const r = this.row();
          r.length = Math.min(r.length, this.x);
          this.rows.length = this.y + 1;
        }
        break;
      default:
        break;
    }
  }

  rowText(y: number): string {
    return (this.rows[y] ?? [])
      .map((c) => c ?? " ")
      .join("")
      .trimEnd();
  }

  /** Every row ever shown, scrollback included. */
  text(): string {
    return this.rows.map((_, y) => this.rowText(y)).join("\n");
  }

  /** The rows shown since the screen was last cleared: what the user sees now. */
  screenText(): string {
    return this.rows
      .slice(this.top)
      .map((_, i) => this.rowText(this.top + i))
      .join("\n");
  }

  /** The row the cursor is on: where the prompt lives. */
  cursorRow(): string {
    return this.rowText(this.y);
  }
}

export interface PtyClient {
  proc: Subprocess;
  term: Term;
  /** Everything written to the terminal, escape sequences removed (for full-screen programs). */
  raw(): string;
  /** Everything written to the terminal exactly as written, escape sequences included. */
  bytes(): string;
  type(s: string): void;
  /** Wait until the screen (scrollback included) matches. */
  waitFor(pattern: RegExp | string, ms?: number): Promise<void>;
  /** Wait until the raw output (escapes removed) contains `text`. */
  waitForRaw(text: string, ms?: number): Promise<void>;
  /** Wait until `check` (looking at the screen) holds. */
  waitUntil(check: (t: Term) => boolean, what: string, ms?: number): Promise<void>;
  exited(ms?: number): Promise<number>;
  kill(): void;
}

export function spawnPty(
  args: string[],
  env: Record<string, string>,
  cols = 100,
  rows = 30,
): PtyClient {
  return spawnPtyCommand([bin, ...args], env, cols, rows);
}

/** Any program under a PTY (chat join, or irssi for interop). */
export function spawnPtyCommand(
  cmd: string[],
  env: Record<string, string>,
  cols = 100,
  rows = 30,
): PtyClient {
  const term = new Term(cols);
  const waiter = new Waiter();
  const dec = new TextDecoder();
  let raw = "";
  const proc = Bun.spawn(cmd, {
    env,
    terminal: {
      cols,
      rows,
      data(_t, bytes) {
        const text = dec.decode(bytes, { stream: true });
        raw += text;
        term.feed(text);
        waiter.poke();
      },
    },
  });
  void proc.exited.then(() => waiter.poke());
  const waitUntil = (check: (t: Term) => boolean, what: string, ms = WAIT_MS): Promise<void> =>
    waiter
      .until(
        () => (check(term) ? true : undefined),
        ms,
        () => `${what}; screen was:\n${term.text()}`,
      )
      .then(() => undefined);
  return {
    proc,
    term,
    raw: () => stripAnsi(raw),
    bytes: () => raw,
    type(s) {
      proc.terminal?.write(s);
    },
    waitFor(pattern, ms) {
      const test = (t: Term): boolean =>
        typeof pattern === "string" ? t.text().includes(pattern) : pattern.test(t.text());
      return waitUntil(test, String(pattern), ms);
    },
    waitForRaw(text, ms) {
      return waitUntil(() => stripAnsi(raw).includes(text), JSON.stringify(text), ms);
    },
    waitUntil,
    async exited(ms = WAIT_MS) {
      const t = setTimeout(() => proc.kill("SIGKILL"), ms);
      const code = await proc.exited;
      clearTimeout(t);
      return code;
    },
    kill() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      proc.terminal?.close();
    },
  };
}

export interface PipeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `chat join` with stdin from a string (pipe mode); bounded in time. */
export async function runPipe(
  args: string[],
  env: Record<string, string>,
  input: string,
  ms = WAIT_MS,
): Promise<PipeRun> {
  const proc = Bun.spawn([bin, ...args], { env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  proc.stdin.write(input);
  await proc.stdin.end();
  const t = setTimeout(() => proc.kill("SIGKILL"), ms);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(t);
  return { code, stdout, stderr };
}

/** One side of a relayed pair: its peer, and bytes waiting for the peer or for drain. */
interface RelayEnd {
  peer?: Socket<RelayEnd>;
  /** Bytes received before the peer connected. */
  early: Uint8Array[];
  /** Bytes the socket did not take yet (partial write); flushed on drain. */
  out: Uint8Array[];
}

function relayWrite(s: Socket<RelayEnd>, data: Uint8Array): void {
  if (s.data.out.length > 0) {
    s.data.out.push(data.slice());
    return;
  }
  const n = s.write(data);
  if (n >= 0 && n < data.length) s.data.out.push(data.slice(n));
}

function relayDrain(s: Socket<RelayEnd>): void {
  while (s.data.out.length > 0) {
    const head = s.data.out[0] as Uint8Array;
    const n = s.write(head);
    if (n < 0) return;
    if (n < head.length) {
      s.data.out[0] = head.subarray(n);
      return;
    }
    s.data.out.shift();
  }
}

/**
 * A TCP relay between a client and the server that the test can cut, to make
 * a network blip (and keep the client away) on demand.
 */
export class Relay {
  private listener: TCPSocketListener<RelayEnd> | undefined;
  private sockets = new Set<Socket<RelayEnd>>();
  private enabled = true;

  constructor(private target: number) {}

  /** Send new connections to another port (a load balancer dropping a dead node). */
  point(target: number): void {
    this.target = target;
  }

  get port(): number {
    return this.listener?.port ?? 0;
  }

  start(): void {
    const sockets = this.sockets;
    this.listener = Bun.listen<RelayEnd>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (client) => {
          client.data = { early: [], out: [] };
          if (!this.enabled) {
            client.end();
            return;
          }
          sockets.add(client);
          void Bun.connect<RelayEnd>({
            hostname: "127.0.0.1",
            port: this.target,
            socket: {
              open(up) {
                up.data = { peer: client, early: [], out: [] };
                sockets.add(up);
                client.data.peer = up;
                for (const b of client.data.early.splice(0)) relayWrite(up, b);
              },
              data: (_up, d) => relayWrite(client, d),
              drain: relayDrain,
              close: () => {
                client.end();
              },
              error: () => {
                client.end();
              },
            },
          }).catch(() => client.end());
        },
        data(client, d) {
          const up = client.data.peer;
          if (up === undefined) client.data.early.push(d.slice());
          else relayWrite(up, d);
        },
        drain: relayDrain,
        close: (client) => {
          client.data.peer?.end();
        },
        error: (client) => {
          client.data.peer?.end();
        },
      },
    });
  }

  /** Drop every relayed connection and refuse new ones until `restore`. */
  cut(): void {
    this.enabled = false;
    for (const s of this.sockets) s.end();
    this.sockets.clear();
  }

  restore(): void {
    this.enabled = true;
  }

  stop(): void {
    this.cut();
    this.listener?.stop(true);
  }
}

export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z~]/g, "");
