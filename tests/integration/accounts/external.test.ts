import { afterAll, test } from "bun:test";
import { startTestServer } from "../../helpers/server.ts";
import { opensslCert } from "../security/helpers.ts";

const server = opensslCert();
const clientA = opensslCert("client-a");
const clientB = opensslCert("client-b");
afterAll(() => {
  for (const c of [server, clientA, clientB]) c.cleanup();
});

/** A TLS connection presenting `cert` (or none); lines collected, bounded waits. */
async function tlsClient(port: number, cert?: { cert: string; key: string }) {
  const lines: string[] = [];
  let buf = "";
  let wake: (() => void) | undefined;
  const socket = await new Promise<import("bun").Socket<undefined>>((resolve, reject) => {
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      tls: { rejectUnauthorized: false, ...(cert ? { cert: cert.cert, key: cert.key } : {}) },
      socket: {
        handshake: (s) => resolve(s),
        data: (_s, b) => {
          buf += new TextDecoder().decode(b);
          let nl = buf.indexOf("\n");
          while (nl !== -1) {
            lines.push(buf.slice(0, nl).replace(/\r$/, ""));
            buf = buf.slice(nl + 1);
            nl = buf.indexOf("\n");
          }
          wake?.();
        },
        connectError: (_s, e) => reject(e),
        error: () => {},
      },
    }).catch(reject);
  });
  let seen = 0;
  return {
    send: (l: string) => socket.write(`${l}\r\n`),
    close: () => socket.end(),
    async expect(re: RegExp): Promise<string> {
      const deadline = Date.now() + 5000;
      for (;;) {
        for (; seen < lines.length; seen++) {
          const l = lines[seen] as string;
          if (re.test(l)) {
            seen++;
            return l;
          }
        }
        if (Date.now() > deadline) throw new Error(`no ${re} in ${lines.slice(-5).join(" | ")}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
    },
  };
}

async function external(port: number, nick: string, cert?: { cert: string; key: string }) {
  const c = await tlsClient(port, cert);
  c.send("CAP LS 302");
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :${nick}`);
  c.send("CAP REQ sasl");
  await c.expect(/ ACK /);
  c.send("AUTHENTICATE EXTERNAL");
  await c.expect(/^AUTHENTICATE \+$/);
  c.send("AUTHENTICATE +");
  return c;
}

test("SASL EXTERNAL: a client certificate claims the nick, proves it later, and no other certificate can", async () => {
  const t = await startTestServer({ tls: { cert: server.cert, key: server.key } });
  try {
    const first = await external(t.port, "cert", clientA);
    await first.expect(/ 900 cert \S+ cert :You are now logged in as cert/);
    await first.expect(/ 903 /);
    first.send("CAP END");
    await first.expect(/ 001 cert /);
    first.close();
    await Bun.sleep(50);

    // The same certificate under another nick logs in to its account and keeps the nick asked for.
    const again = await external(t.port, "other", clientA);
    await again.expect(/ 900 other \S+ cert /);
    again.send("CAP END");
    await again.expect(/ 001 other /);
    again.send("WHOIS other");
    await again.expect(/ 330 other other cert :is logged in as/);
    again.close();
    await Bun.sleep(50);

    const thief = await external(t.port, "cert", clientB);
    await thief.expect(/ 904 .*cert is already claimed/);
    thief.send("CAP END");
    await thief.expect(/ 433 \* cert /);
    thief.close();

    const none = await external(t.port, "nocert");
    await none.expect(/ 904 .*No TLS client certificate/);
    none.close();
  } finally {
    await t.stop();
  }
});
