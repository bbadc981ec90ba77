import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { TCPSocketListener } from "bun";
import { fingerprintOfPem } from "../../../src/security/fingerprint.ts";
import { KnownServers, type TrustResult } from "../../../src/security/known-servers.ts";
import {
  askYesNo,
  type ClientTrustPolicy,
  checkServerTrust,
  tlsConnectOptions,
} from "../../../src/security/tls-client.ts";
import { opensslCaSigned, opensslCert, type TestCert } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

/** A TLS server on 127.0.0.1 that greets with a line once the handshake is done. */
function tlsServer(cert: TestCert): TCPSocketListener<undefined> {
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: cert.cert, key: cert.key },
    socket: {
      data(s, b) {
        s.write(b);
      },
    },
  });
  cleanups.push(() => server.stop(true));
  return server;
}

function newCert(): TestCert {
  const c = opensslCert();
  cleanups.push(c.cleanup);
  return c;
}

function knownStore(): KnownServers {
  const d = mkdtempSync(join(tmpdir(), "chat-known-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return new KnownServers(join(d, "chat", "known_servers"));
}

/** Connect the way `chat join --tls` does and run the trust check in the handshake. */
function connectAndCheck(
  port: number,
  policy: Omit<ClientTrustPolicy, "host" | "port">,
): Promise<{ trust: TrustResult; echoed: string }> {
  return new Promise((resolve, reject) => {
    let trust: TrustResult | undefined;
    const timer = setTimeout(() => reject(new Error("no handshake within 5 s")), 5_000);
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      tls: tlsConnectOptions("127.0.0.1"),
      socket: {
        handshake(sock, _ok, authorizationError) {
          checkServerTrust(sock, authorizationError, { host: "127.0.0.1", port, ...policy }).then(
            (t) => {
              trust = t;
              // Only a trusted server ever sees a byte from us.
              if (t.ok) sock.write("PASS secret\r\n");
              else {
                clearTimeout(timer);
                sock.end();
                resolve({ trust: t, echoed: "" });
              }
            },
            reject,
          );
        },
        data(sock, b) {
          clearTimeout(timer);
          sock.end();
          if (trust) resolve({ trust, echoed: b.toString() });
        },
        connectError(_s, err) {
          reject(err);
        },
      },
    }).catch(reject);
  });
}

function answering(answer: boolean, asked: string[]): (q: string) => Promise<boolean> {
  return async (q) => {
    asked.push(q);
    return answer;
  };
}

describe("chat join --tls trust decisions against a real TLS server", () => {
  test("unknown self-signed server: the prompt shows the fingerprint; yes connects and remembers", async () => {
    const cert = newCert();
    const server = tlsServer(cert);
    const store = knownStore();
    const asked: string[] = [];
    const fp = fingerprintOfPem(cert.cert);
    const r = await connectAndCheck(server.port, {
      insecure: false,
      ask: answering(true, asked),
      knownServers: store,
    });
    expect(r.trust).toEqual({ ok: true, how: "first-use", fingerprint: fp });
    expect(r.echoed).toBe("PASS secret\r\n");
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(fp);
    expect(readFileSync(store.path, "utf8")).toBe(`127.0.0.1:${server.port} ${fp}\n`);

    // Second connection: no question asked.
    const again = await connectAndCheck(server.port, {
      insecure: false,
      ask: answering(false, asked),
      knownServers: store,
    });
    expect(again.trust.ok && again.trust.how).toBe("known");
    expect(asked).toHaveLength(1);
  });

  test("unknown self-signed server: no means nothing is sent and nothing remembered", async () => {
    const server = tlsServer(newCert());
    const store = knownStore();
    const r = await connectAndCheck(server.port, {
      insecure: false,
      ask: answering(false, []),
      knownServers: store,
    });
    expect(r.trust.ok).toBe(false);
    expect(r.echoed).toBe("");
    expect(await store.entries()).toEqual([]);
  });

  test("a server that comes back with another certificate is refused loudly", async () => {
    const first = newCert();
    const store = knownStore();
    const s1 = tlsServer(first);
    const port = s1.port;
    await connectAndCheck(port, { insecure: false, ask: answering(true, []), knownServers: store });
    s1.stop(true);
    // An impersonator on the same address with its own certificate.
    const other = newCert();
    const impostor = Bun.listen({
      hostname: "127.0.0.1",
      port,
      tls: { cert: other.cert, key: other.key },
      socket: { data() {} },
    });
    cleanups.push(() => impostor.stop(true));
    const asked: string[] = [];
    const r = await connectAndCheck(port, {
      insecure: false,
      ask: answering(true, asked),
      knownServers: store,
    });
    expect(asked).toHaveLength(0);
    expect(r.trust.ok).toBe(false);
    if (!r.trust.ok) {
      expect(r.trust.reason).toBe("changed");
      expect(r.trust.message).toContain("WARNING: THE SERVER'S CERTIFICATE HAS CHANGED");
    }
    expect(r.echoed).toBe("");
  });

  test("--fp pins the certificate: right fingerprint connects without asking, wrong one is refused", async () => {
    const cert = newCert();
    const server = tlsServer(cert);
    const fp = fingerprintOfPem(cert.cert);
    const asked: string[] = [];
    const ok = await connectAndCheck(server.port, {
      fingerprint: fp.slice("SHA256:".length),
      insecure: false,
      ask: answering(true, asked),
      knownServers: knownStore(),
    });
    expect(ok.trust.ok && ok.trust.how).toBe("pinned");
    expect(ok.echoed).toBe("PASS secret\r\n");
    const bad = await connectAndCheck(server.port, {
      fingerprint: `SHA256:${"0".repeat(64)}`,
      insecure: false,
      ask: answering(true, asked),
      knownServers: knownStore(),
    });
    expect(bad.trust.ok).toBe(false);
    if (!bad.trust.ok) expect(bad.trust.reason).toBe("fingerprint-mismatch");
    expect(asked).toHaveLength(0);
  });

  test("--insecure connects to anything", async () => {
    const server = tlsServer(newCert());
    const r = await connectAndCheck(server.port, {
      insecure: true,
      ask: answering(false, []),
      knownServers: knownStore(),
    });
    expect(r.trust.ok && r.trust.how).toBe("insecure");
  });
});

describe("a certificate from a trusted authority", () => {
  /** Connect trusting `ca` as if it were a system root, and run the same trust check. */
  function connectWithCa(port: number, ca: string, host: string, store: KnownServers) {
    return new Promise<TrustResult>((resolve, reject) => {
      Bun.connect({
        hostname: "127.0.0.1",
        port,
        tls: { ...tlsConnectOptions(host), ca },
        socket: {
          handshake(sock, _ok, authorizationError) {
            checkServerTrust(sock, authorizationError, {
              host,
              port,
              insecure: false,
              ask: async () => false,
              knownServers: store,
            }).then((t) => {
              sock.end();
              resolve(t);
            }, reject);
          },
          data() {},
        },
      }).catch(reject);
    });
  }

  test("is trusted without a prompt when it names the host, and not when it names another", async () => {
    const ca = opensslCaSigned("IP:127.0.0.1,DNS:localhost");
    cleanups.push(ca.cleanup);
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: ca.cert, key: ca.key },
      socket: { data() {} },
    });
    cleanups.push(() => server.stop(true));
    const store = knownStore();
    const good = await connectWithCa(server.port, ca.caCert, "127.0.0.1", store);
    expect(good.ok && good.how).toBe("system-roots");
    // Nothing is written for an authority-vouched server: a renewed certificate just works.
    expect(await store.entries()).toEqual([]);
    // Signed by the trusted authority, but for another name: treated like a stranger.
    const other = await connectWithCa(server.port, ca.caCert, "chat.example.org", store);
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.reason).toBe("declined");
  });
});

describe("the yes/no prompt", () => {
  test("yes and y accept; anything else or end of input refuses", async () => {
    for (const [typed, want] of [
      ["yes\n", true],
      ["Y\n", true],
      ["no\n", false],
      ["sure\n", false],
    ] as const) {
      const input = new PassThrough();
      const output = new PassThrough();
      const answer = askYesNo("Trust?", input, output);
      input.write(typed);
      expect(await answer).toBe(want);
      expect(output.read()?.toString()).toBe("Trust? (yes/no) ");
    }
    const input = new PassThrough();
    const answer = askYesNo("Trust?", input, new PassThrough());
    input.end();
    expect(await answer).toBe(false);
  });
});
