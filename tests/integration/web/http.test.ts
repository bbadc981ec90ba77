/**
 * HTTP on the main port: a connection whose first bytes are an HTTP request is
 * served the page (with security headers on every response), also behind
 * TLS on the same port, while IRC clients keep working there; `web: false`
 * turns it off.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { webLines } from "../../../src/cli/web-banner.ts";
import { FlushScheduler } from "../../../src/transport/output.ts";
import { PipeAddresses } from "../../../src/transport/web-pipe.ts";
import { startWebServer } from "../../../src/web/server.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { WsClient } from "../../helpers/ws-client.ts";
import { opensslCert } from "../security/helpers.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

function expectSecurityHeaders(res: Response): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
}

describe("HTTP on the main port", () => {
  test("the page and its scripts are served with security headers, as are refusals", async () => {
    t = await startTestServer();
    const page = await fetch(`http://127.0.0.1:${t.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/app/app.ts">');
    // Nothing from elsewhere: every src/href is a path on this server.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expectSecurityHeaders(page);
    const script = await fetch(`http://127.0.0.1:${t.port}/app/app.ts`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).not.toContain(": string"); // transpiled, not TypeScript
    expectSecurityHeaders(script);
    const missing = await fetch(`http://127.0.0.1:${t.port}/nope`);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
    const post = await fetch(`http://127.0.0.1:${t.port}/`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expectSecurityHeaders(post);
  });

  test("IRC clients on the same port are unaffected, before and after web requests", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect((await fetch(`http://127.0.0.1:${t.port}/`)).status).toBe(200);
    const b = await t.client("bob");
    a.send("PRIVMSG bob :hi");
    await b.expect(/^:alice!\S+ PRIVMSG bob :hi$/);
    // The browser's request was never a session: no connect line logged for it.
    expect(t.logs.filter((l) => l.startsWith("connect ")).length).toBe(2);
  });

  test("behind --tls the same port serves https and wss", async () => {
    const cert = opensslCert();
    try {
      t = await startTestServer({ tls: { cert: cert.cert, key: cert.key } });
      const page = await fetch(`https://127.0.0.1:${t.port}/`, {
        tls: { rejectUnauthorized: false },
      } as RequestInit);
      expect(page.status).toBe(200);
      expectSecurityHeaders(page);
      const w = await WsClient.connect(`wss://127.0.0.1:${t.port}/`, {
        protocols: ["text.ircv3.net"],
        tls: { rejectUnauthorized: false },
      });
      await w.register("secure");
      w.close();
    } finally {
      cert.cleanup();
    }
  });

  test("with the web off, an HTTP request on the main port is just a bad IRC client", async () => {
    t = await startTestServer({ web: false });
    expect(t.running.web).toBe(false);
    await expect(fetch(`http://127.0.0.1:${t.port}/`)).rejects.toThrow();
  });
});

describe("a browser socket that waits before sending", () => {
  test("is still served HTTP after the core has taken it, while the core has sent it nothing", async () => {
    t = await startTestServer();
    const server = t;
    let got = "";
    const sock = await Bun.connect({
      hostname: "127.0.0.1",
      port: server.port,
      socket: {
        data(_s, chunk) {
          got += new TextDecoder().decode(chunk);
        },
      },
    });
    // Wait (bounded) until the silent socket has been handed to the core, like a preconnect.
    for (let i = 0; i < 100 && !server.logs.some((l) => l.startsWith("connect ")); i++) {
      await Bun.sleep(20);
    }
    expect(server.logs.some((l) => l.startsWith("connect "))).toBe(true);
    sock.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    for (let i = 0; i < 100 && !got.includes("</html>"); i++) await Bun.sleep(20);
    sock.end();
    expect(got).toStartWith("HTTP/1.1 200");
    expect(got).toContain("</html>");
    expect(server.logs.some((l) => /disconnect .*: Web request$/.test(l))).toBe(true);
  });
});

describe("the internal web server behind the main port", () => {
  test("refuses a connection that is not one of the main port's pipes", async () => {
    const web = startWebServer(
      {
        hostname: "127.0.0.1",
        port: 0,
        pipes: new PipeAddresses(),
        origins: [],
        sendQBytes: 1 << 20,
        maxLineBytes: 8703,
        closeGraceMs: 1000,
        idleTimeoutS: 120,
      },
      () => undefined,
      new FlushScheduler(),
    );
    try {
      const res = await fetch(`http://127.0.0.1:${web.port}/`);
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/only serves the chat server's own listener/);
      expectSecurityHeaders(res);
    } finally {
      web.stop();
    }
  });
});

describe("the banner", () => {
  test("prints the web address on the main port and on --web-port, https behind TLS, none with --no-web", () => {
    expect(webLines("127.0.0.1", { port: 6667, web: true }, false)).toEqual([
      "In a browser: http://127.0.0.1:6667/",
    ]);
    expect(webLines("127.0.0.1", { port: 6667, web: true, webPort: 8080 }, true)).toEqual([
      "In a browser: https://127.0.0.1:6667/ or https://127.0.0.1:8080/",
    ]);
    expect(webLines("127.0.0.1", { port: 6667, web: false }, false)).toEqual([]);
  });
});

describe("HTTP connections per address", () => {
  test("are capped like IRC ones: one too many gets a 503 that says why; a freed slot is reused", async () => {
    t = await startTestServer({ limits: { maxConnectionsPerIp: 2 } });
    const port = t.port;
    const got: string[] = ["", "", ""];
    const open = (i: number) =>
      Bun.connect({
        hostname: "127.0.0.1",
        port,
        socket: {
          data(_s, chunk) {
            got[i] += new TextDecoder().decode(chunk);
          },
        },
      });
    // Two requests left unfinished hold their pipes open.
    const held = [await open(0), await open(1)];
    for (const s of held) s.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const third = await open(2);
    third.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (let i = 0; i < 100 && !got[2]?.includes("Too many"); i++) await Bun.sleep(20);
    expect(got[2]).toStartWith("HTTP/1.1 503");
    expect(got[2]).toContain("Too many connections from your address");
    held[0]?.end();
    held[1]?.end();
    // Bounded wait for the pipes to close, then a page loads again.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await Bun.sleep(20);
      status = (await fetch(`http://127.0.0.1:${port}/`)).status;
    }
    expect(status).toBe(200);
    third.end();
  });
});
