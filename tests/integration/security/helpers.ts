/** Shared test fixtures for the security integration tests. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
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
