/**
 * IRC over WebSocket, on the wire: each subprotocol (and none), one line per
 * message, the Origin check, oversized frames, the same limits as TCP, and a
 * client that stops reading cut off like a slow TCP client.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { floodUntilSlowIsCut, spawnStalledWsReader } from "../../helpers/stalled-ws.ts";
import { WsClient } from "../../helpers/ws-client.ts";

let t: TestServer | undefined;
let child: ReturnType<typeof Bun.spawn> | undefined;
const sockets: WsClient[] = [];

afterEach(async () => {
  child?.kill();
  child = undefined;
  for (const s of sockets.splice(0)) s.close();
  await t?.stop();
  t = undefined;
});

async function ws(port: number, opts: Parameters<typeof WsClient.connect>[1] = {}, path = "/") {
  const c = await WsClient.connect(`ws://127.0.0.1:${port}${path}`, opts);
  sockets.push(c);
  return c;
}

describe("WebSocket IRC on the main port", () => {
  test.each([
    ["text.ircv3.net", "text.ircv3.net", false],
    ["binary.ircv3.net", "binary.ircv3.net", true],
    ["no subprotocol", undefined, false],
  ])("%s: one IRC line per message, both ways with a TCP client", async (_name, proto, binary) => {
    t = await startTestServer();
    const w = await ws(t.port, proto ? { protocols: [proto] } : {});
    expect(w.protocol).toBe(proto ?? "");
    await w.register("webby");
    expect(w.lines.every((l) => !l.includes("\r") && !l.includes("\n"))).toBe(true);
    expect(w.binary.every((b) => b === binary)).toBe(true);
    const tcp = await t.client("tcpy");
    tcp.send("JOIN #r");
    await tcp.expect(/ 366 /);
    // A binary client sends bytes; a trailing CR LF, if sent, is dropped.
    w.send(binary ? new TextEncoder().encode("JOIN #r\r\n") : "JOIN #r");
    await w.expect(/ 366 webby #r /);
    w.send("PRIVMSG #r :hello from the browser");
    await tcp.expect(/^:webby!\S+ PRIVMSG #r :hello from the browser$/);
    tcp.send("PRIVMSG #r :héllo from tcp");
    await w.expect(/^:tcpy!\S+ PRIVMSG #r :héllo from tcp$/);
  });

  test("the /webirc path works too; an unknown subprotocol falls back to text", async () => {
    t = await startTestServer();
    const w = await ws(t.port, { protocols: ["v1.kiwiirc.com", "text.ircv3.net"] }, "/webirc");
    expect(w.protocol).toBe("text.ircv3.net");
    await w.register("kiwi");
  });

  test("a page from another origin is refused; the page's own origin and --web-origin are let in", async () => {
    t = await startTestServer({ web: { origins: ["https://friend.example"] } });
    const port = t.port;
    await expect(ws(port, { headers: { Origin: "http://evil.example" } })).rejects.toThrow(
      /closed before opening/,
    );
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      headers: {
        Origin: "http://evil.example",
        Upgrade: "websocket",
        Connection: "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
      },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/--web-origin/);
    const own = await ws(port, { headers: { Origin: `http://127.0.0.1:${port}` } });
    await own.register("own");
    const friend = await ws(port, { headers: { Origin: "https://friend.example" } });
    await friend.register("friend");
  });

  test("a message over the line limit closes the socket with 1009; others are unaffected", async () => {
    t = await startTestServer();
    const tcp = await t.client("watcher");
    tcp.send("JOIN #r");
    await tcp.expect(/ 366 /);
    const w = await ws(t.port);
    await w.register("big");
    w.send("JOIN #r");
    await tcp.expect(/:big!\S+ JOIN #r/);
    w.send(`PRIVMSG #r :${"x".repeat(20_000)}`);
    await w.waitClosed();
    expect(w.closeCode).toBe(1009);
    await tcp.expect(/:big!\S+ QUIT :Message too big$/);
    tcp.send("PING still-here");
    await tcp.expect("PONG");
  });

  test("the per-address connection cap counts WebSocket clients like TCP ones", async () => {
    t = await startTestServer({ limits: { maxConnectionsPerIp: 2 } });
    await (await ws(t.port)).register("one");
    await t.client("two");
    const third = await ws(t.port);
    await third.expect(/^ERROR :.*/);
    await third.waitClosed();
  });

  test("a flood from a WebSocket client is throttled and then disconnected", async () => {
    t = await startTestServer({ limits: { floodBurst: 3, floodRate: 100, floodBacklog: 30 } });
    const w = await ws(t.port);
    await w.register("flood");
    for (let i = 0; i < 200; i++) w.send("PRIVMSG flood :x");
    await w.expect(/^ERROR :Closing link: \S+ \(Excess Flood\)/);
    await w.waitClosed();
  });

  test("a client that stops reading is cut off with SendQ exceeded; others keep receiving", async () => {
    t = await startTestServer({ limits: { sendQBytes: 256 * 1024, floodLimit: false } });
    const a = await t.client("alice");
    a.send("JOIN #r");
    await a.expect(/ 366 /);
    child = spawnStalledWsReader(t.port);
    await a.expect(/:slow!\S+ JOIN #r$/, 10_000);
    const cut = await floodUntilSlowIsCut(a);
    expect(cut).toBe(true);
  }, 60_000);
});

describe("WebSocket IRC on a dedicated --web-port", () => {
  test("serves the page and IRC, with the same cap per address", async () => {
    t = await startTestServer({ web: { port: 0 }, limits: { maxConnectionsPerIp: 1 } });
    const port = t.running.webPort as number;
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    const w = await ws(port, { protocols: ["binary.ircv3.net"] });
    await w.register("dedicated");
    const second = await ws(t.port);
    await second.expect(/^ERROR :/);
  });
});
