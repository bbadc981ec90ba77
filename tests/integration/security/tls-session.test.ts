import { afterEach, describe, expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { fingerprintOfDer, fingerprintOfPem } from "../../../src/security/fingerprint.ts";
import { looksLikeTls, makeSecureContext, TlsSession } from "../../../src/security/tls-session.ts";
import { opensslCert, Signal, type TestCert } from "./helpers.ts";

const signal = new Signal();
const waitFor = signal.until.bind(signal);

interface ConnState {
  tls?: TlsSession;
  sniffed: boolean;
  mode?: "tls" | "plain";
}

/** A one-port echo server built the way the chat listener uses TlsSession. */
function echoServer(cert: TestCert): TCPSocketListener<ConnState> {
  const context = makeSecureContext(cert);
  return Bun.listen<ConnState>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { sniffed: false };
      },
      data(s, chunk) {
        const st = s.data;
        if (!st.sniffed) {
          st.sniffed = true;
          if (looksLikeTls(chunk)) {
            st.mode = "tls";
            const session: TlsSession = new TlsSession(s, context, {
              data: (plain) => {
                const text = new TextDecoder().decode(plain);
                // "BIG n" asks for n bytes back, to push through partial writes.
                const m = /^BIG (\d+)/.exec(text);
                const reply = m ? new Uint8Array(Number(m[1])).fill(0x61) : plain;
                session.write(reply);
              },
              drain: () => {},
              error: () => {},
            });
            st.tls = session;
            session.receive(chunk);
            return;
          }
          st.mode = "plain";
        }
        if (st.tls) st.tls.receive(chunk);
        else s.write(chunk);
      },
      drain(s) {
        s.data.tls?.rawDrained();
      },
      close(s) {
        s.data.tls?.destroy();
      },
    },
  });
}

let cert: TestCert | undefined;
let server: TCPSocketListener<ConnState> | undefined;
const clients: Socket<undefined>[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.end();
  server?.stop(true);
  server = undefined;
  cert?.cleanup();
  cert = undefined;
});

function connect(
  tls: boolean,
  onData: (b: Uint8Array) => void,
  onHandshake?: (s: Socket<undefined>, err: Error | null) => void,
): Promise<Socket<undefined>> {
  if (server === undefined) throw new Error("no server");
  return Bun.connect({
    hostname: "127.0.0.1",
    port: server.port,
    ...(tls ? { tls: { rejectUnauthorized: false } } : {}),
    socket: {
      data: (_s, b) => {
        onData(new Uint8Array(b));
        signal.notify();
      },
      handshake: (s, _ok, err) => onHandshake?.(s, err),
    },
  }).then((s) => {
    clients.push(s);
    return s;
  });
}

describe("one port, TLS and plain", () => {
  test("a TLS client completes a handshake, sees the server certificate and is echoed", async () => {
    cert = opensslCert();
    server = echoServer(cert);
    let got = "";
    let fp = "";
    let chainError: Error | null | undefined;
    const s = await connect(
      true,
      (b) => {
        got += new TextDecoder().decode(b);
      },
      (sock, err) => {
        chainError = err;
        const raw = sock.getPeerCertificate()?.raw;
        if (raw) fp = fingerprintOfDer(raw);
        sock.write("hello over tls\r\n");
      },
    );
    await waitFor("echo", () => got.includes("hello over tls"));
    expect(fp).toBe(fingerprintOfPem(cert.cert));
    // Self-signed: the TLS layer reports it, the trust decision is the client's.
    expect(chainError).toBeInstanceOf(Error);
    s.end();
  });

  test("a plain client on the same port is not disturbed", async () => {
    cert = opensslCert();
    server = echoServer(cert);
    let got = "";
    const s = await connect(false, (b) => {
      got += new TextDecoder().decode(b);
    });
    s.write("NICK alice\r\n");
    await waitFor("plain echo", () => got === "NICK alice\r\n");
  });

  test("a large reply over TLS arrives whole (partial raw writes are retried on drain)", async () => {
    cert = opensslCert();
    server = echoServer(cert);
    const size = 4 * 1024 * 1024;
    let received = 0;
    await connect(
      true,
      (b) => {
        received += b.length;
      },
      (sock) => {
        sock.write(`BIG ${size}`);
      },
    );
    await waitFor("all bytes", () => received >= size, 15_000);
    expect(received).toBe(size);
  });

  test("garbage after a 0x16 first byte closes only that connection", async () => {
    cert = opensslCert();
    server = echoServer(cert);
    let closed = false;
    await Bun.connect({
      hostname: "127.0.0.1",
      port: server.port,
      socket: {
        open: (s) => {
          clients.push(s);
          s.write(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
        },
        data: () => {},
        close: () => {
          closed = true;
          signal.notify();
        },
      },
    });
    await waitFor("bad handshake closed", () => closed);
    // The server still serves others.
    let got = "";
    const s = await connect(false, (b) => {
      got += new TextDecoder().decode(b);
    });
    s.write("still here\r\n");
    await waitFor("echo after garbage", () => got.includes("still here"));
  });
});
