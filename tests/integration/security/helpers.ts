/** Shared test fixtures for the security integration tests. */
import { afterEach } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { fingerprintOfDer } from "../../../src/security/fingerprint.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import type { TestServer } from "../../helpers/server.ts";

/** openssl req arguments for a new unencrypted P-256 key. */
const NEW_P256_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

export interface TestCert {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
  dir: string;
  cleanup(): void;
}

/** A fresh self-signed certificate for 127.0.0.1, made by openssl. */
export function opensslCert(cn = "localhost"): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "chat-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      ...NEW_P256_KEY,
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: "ignore" },
  );
  return {
    cert: readFileSync(certPath, "utf8"),
    key: readFileSync(keyPath, "utf8"),
    certPath,
    keyPath,
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Event-driven waiting: code that receives something calls `notify()`, and
 * `until` re-checks its condition on each notification, failing after a bound.
 */
export class Signal {
  private waiters: (() => void)[] = [];

  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  until<T>(what: string, cond: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        const v = cond();
        if (v !== undefined && v !== false) {
          clearTimeout(timer);
          resolve(v);
          return;
        }
        this.waiters.push(check);
      };
      check();
    });
  }
}

/** A raw IRC (or plain-text) test client over a real socket, with event-driven waits. */
export class LineClient {
  readonly lines: string[] = [];
  closed = false;
  private buf = "";
  private readonly signal = new Signal();
  private socket: import("bun").Socket<undefined> | undefined;

  static async connect(
    port: number,
    opts: { tls?: boolean; host?: string } = {},
  ): Promise<LineClient> {
    const c = new LineClient();
    const decoder = new TextDecoder();
    await new Promise<void>((resolve, reject) => {
      Bun.connect({
        hostname: opts.host ?? "127.0.0.1",
        port,
        ...(opts.tls ? { tls: { rejectUnauthorized: false } } : {}),
        socket: {
          open: (s) => {
            c.socket = s;
            if (!opts.tls) resolve();
          },
          handshake: () => resolve(),
          data: (_s, b) => {
            c.buf += decoder.decode(b, { stream: true });
            let nl = c.buf.indexOf("\n");
            while (nl !== -1) {
              c.lines.push(c.buf.slice(0, nl).replace(/\r$/, ""));
              c.buf = c.buf.slice(nl + 1);
              nl = c.buf.indexOf("\n");
            }
            c.signal.notify();
          },
          close: () => {
            c.closed = true;
            c.signal.notify();
          },
          connectError: (_s, err) => reject(err),
          error: () => {},
        },
      }).catch(reject);
    });
    return c;
  }

  send(line: string): void {
    this.socket?.write(`${line}\r\n`);
  }

  writeRaw(bytes: Uint8Array | string): number {
    return this.socket?.write(bytes) ?? -1;
  }

  /** The first line (after `from`) matching `pred`; fails after `timeoutMs`. */
  async waitFor(
    what: string,
    pred: (line: string) => boolean,
    timeoutMs = 5_000,
    from = 0,
  ): Promise<string> {
    return this.signal.until(
      `${what} (got: ${JSON.stringify(this.lines.slice(-5))})`,
      () => this.lines.slice(from).find(pred),
      timeoutMs,
    );
  }

  waitClosed(timeoutMs = 5_000): Promise<true> {
    return this.signal.until("connection close", () => this.closed || undefined, timeoutMs);
  }

  /** Register with NICK/USER (and PASS first when given); resolves on 001. */
  async register(nick: string, password?: string): Promise<void> {
    if (password !== undefined) this.send(`PASS ${password}`);
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :${nick}`);
    await this.waitFor(`001 for ${nick}`, (l) => / 001 /.test(l));
  }

  close(): void {
    if (!this.closed) this.socket?.end();
    this.closed = true;
  }
}

export interface TestCa {
  caCert: string;
  /** A leaf for `names` (e.g. "IP:127.0.0.1,DNS:localhost"), signed by the CA. */
  cert: string;
  key: string;
  cleanup(): void;
}

/** A throwaway certificate authority and one server certificate it signed (openssl). */
export function opensslCaSigned(names: string): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "chat-ca-"));
  const p = (f: string): string => join(dir, f);
  const run = (args: string[]): void => {
    execFileSync("openssl", args, { stdio: "ignore", cwd: dir });
  };
  run([
    "req",
    "-x509",
    ...NEW_P256_KEY,
    "-keyout",
    p("ca.key"),
    "-out",
    p("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=chat test CA",
  ]);
  run([
    "req",
    ...NEW_P256_KEY,
    "-keyout",
    p("leaf.key"),
    "-out",
    p("leaf.csr"),
    "-subj",
    "/CN=chat test server",
  ]);
  writeFileSync(p("ext.cnf"), `subjectAltName=${names}\nbasicConstraints=CA:FALSE\n`);
  run([
    "x509",
    "-req",
    "-in",
    p("leaf.csr"),
    "-CA",
    p("ca.pem"),
    "-CAkey",
    p("ca.key"),
    "-CAcreateserial",
    "-out",
    p("leaf.pem"),
    "-days",
    "2",
    "-extfile",
    p("ext.cnf"),
  ]);
  return {
    caCert: readFileSync(p("ca.pem"), "utf8"),
    cert: readFileSync(p("leaf.pem"), "utf8"),
    key: readFileSync(p("leaf.key"), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What the current test started: an in-process server, clients, child processes, temp files. */
export interface Live {
  server: TestServer | undefined;
  clients: TestClient[];
  /** Child processes (other IRC clients): killed and awaited. */
  procs: Subprocess[];
  /** Removes temporary folders and certificates; run after the server has stopped. */
  cleanups: (() => void)[];
}

/** Call once per test file: after each test, frees everything recorded in the returned Live. */
export function freedAfterEach(): Live {
  const live: Live = { server: undefined, clients: [], procs: [], cleanups: [] };
  afterEach(async () => {
    for (const c of live.clients.splice(0)) c.close();
    for (const p of live.procs.splice(0)) {
      p.kill();
      await p.exited;
    }
    await live.server?.stop();
    live.server = undefined;
    for (const f of live.cleanups.splice(0)) f();
  });
  return live;
}

/** The fingerprint a new TLS connection to `port` on 127.0.0.1 is shown. */
export function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      tls: { rejectUnauthorized: false },
      socket: {
        handshake(s) {
          const raw = s.getPeerCertificate()?.raw;
          s.end();
          if (raw) resolve(fingerprintOfDer(raw));
          else reject(new Error("no certificate"));
        },
        data() {},
      },
    }).catch(reject);
  });
}
