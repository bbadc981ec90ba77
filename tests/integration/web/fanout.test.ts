/**
 * Room messages to WebSocket members go out as one publish per event (Bun's
 * topics), not one send per member: these check what a member would notice if
 * that bookkeeping went wrong, on the main port (piped) and on --web-port.
 * Order against the member's own replies, nothing after PART or KICK, the new
 * form after a CAP REQ, text and binary frames in one room, the sender's echo
 * or not, a multiline batch, a rename, and a reader that stops.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
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

interface WsUser {
  caps?: string[];
  binary?: boolean;
}

/** A WebSocket user in #r: registered (with `caps`), joined, its JOIN burst done. */
async function wsMember(port: number, nick: string, opts: WsUser = {}): Promise<WsClient> {
  const protocols = [opts.binary ? "binary.ircv3.net" : "text.ircv3.net"];
  const c = await WsClient.connect(`ws://127.0.0.1:${port}/`, { protocols });
  sockets.push(c);
  if (opts.caps !== undefined && opts.caps.length > 0) {
    c.send("CAP LS 302");
    c.send(`CAP REQ :${opts.caps.join(" ")}`);
    await c.expect(/ CAP \S+ ACK /);
    c.send("CAP END");
  }
  await c.register(nick);
  c.send("JOIN #r");
  await c.expect(new RegExp(` 366 ${nick} #r `));
  return c;
}

/** Wait until `c` answers a PING: everything sent to it before has arrived. */
async function settle(c: WsClient, token: string): Promise<void> {
  c.send(`PING ${token}`);
  await c.expect(new RegExp(`PONG .*${token}`));
}

/** The lines of `c` that mention one of `words`, in arrival order, tags removed. */
function picked(c: WsClient, words: readonly string[]): string[] {
  return c.lines
    .map((l) => l.replace(/^@\S+ /, ""))
    .filter((l) => words.some((w) => l.endsWith(` :${w}`) || l.endsWith(` ${w}`)));
}

async function operIn(server: TestServer, caps: string[] = []): Promise<TestClient> {
  const a = await server.client("alice", caps.length > 0 ? { caps } : {});
  a.send("JOIN #r");
  await a.expect(/ 366 alice #r /);
  return a;
}

describe.each([
  ["the main port (piped)", false],
  ["a dedicated --web-port", true],
])("room fan-out to WebSockets on %s", (_where, dedicated) => {
  async function start(): Promise<{ server: TestServer; port: number }> {
    const server = await startTestServer({
      limits: { floodLimit: false },
      ...(dedicated ? { web: { port: 0 } } : {}),
    });
    t = server;
    return { server, port: dedicated ? (server.running.webPort as number) : server.port };
  }

  test("room messages and a member's own lines arrive in the order they were made", async () => {
    const { server, port } = await start();
    const a = await operIn(server);
    const w = await wsMember(port, "w");
    const v = await wsMember(port, "v", { caps: ["labeled-response", "batch"] });
    // One write: room messages (published) and private ones (sent to w alone) alternate.
    a.sendRaw("PRIVMSG #r :m1\r\nPRIVMSG w :dm2\r\nPRIVMSG #r :m3\r\nPRIVMSG w :dm4\r\n");
    await w.expect(/PRIVMSG w :dm4$/);
    expect(picked(w, ["m1", "dm2", "m3", "dm4"])).toEqual([
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :m1$/),
      expect.stringMatching(/^:alice!\S+ PRIVMSG w :dm2$/),
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :m3$/),
      expect.stringMatching(/^:alice!\S+ PRIVMSG w :dm4$/),
    ]);
    // Labeled messages from a WebSocket: its ACKs in order and never its own
    // message back; the others see room and private lines in the order sent.
    v.send("@label=l1 PRIVMSG #r :v1\r\n@label=l2 PRIVMSG w :v2\r\n@label=l3 PRIVMSG #r :v3");
    await v.expect(/^@label=l3 \S+ ACK$/);
    expect(v.lines.filter((l) => / ACK$/.test(l)).map((l) => l.split(" ")[0])).toEqual([
      "@label=l1",
      "@label=l2",
      "@label=l3",
    ]);
    await w.expect(/ PRIVMSG #r :v3$/);
    expect(picked(w, ["v1", "v2", "v3"])).toEqual([
      expect.stringMatching(/^:v!\S+ PRIVMSG #r :v1$/),
      expect.stringMatching(/^:v!\S+ PRIVMSG w :v2$/),
      expect.stringMatching(/^:v!\S+ PRIVMSG #r :v3$/),
    ]);
    await a.expect(/ PRIVMSG #r :v3$/);
    await settle(v, "v-done");
    expect(v.lines.some((l) => / PRIVMSG #r :v[13]$/.test(l))).toBe(false);
  });

  test("after PART or KICK a member gets nothing more from the room; one who joins later does", async () => {
    const { server, port } = await start();
    const a = await operIn(server);
    const parter = await wsMember(port, "parter");
    const kicked = await wsMember(port, "kicked", { binary: true });
    const stayer = await wsMember(port, "stayer");
    parter.send("PART #r");
    await a.expect(/:parter!\S+ PART #r/);
    // In one turn: a message the victim still gets, the KICK, one it must not get.
    a.sendRaw("PRIVMSG #r :before\r\nKICK #r kicked :out\r\nPRIVMSG #r :after\r\n");
    a.sendRaw("PRIVMSG parter :marker\r\nPRIVMSG kicked :marker\r\n");
    await parter.expect(/ PRIVMSG parter :marker$/);
    await kicked.expect(/ PRIVMSG kicked :marker$/);
    await stayer.expect(/ PRIVMSG #r :after$/);
    expect(picked(parter, ["before", "after"])).toEqual([]);
    expect(picked(kicked, ["before", "out", "after"])).toEqual([
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :before$/),
      expect.stringMatching(/^:alice!\S+ KICK #r kicked :out$/),
    ]);
    // Back in: delivered again, once.
    kicked.send("JOIN #r");
    await kicked.expect(/ 366 kicked #r /);
    a.send("PRIVMSG #r :again");
    await kicked.expect(/ PRIVMSG #r :again$/);
    await settle(kicked, "k-done");
    expect(picked(kicked, ["again"]).length).toBe(1);
  });

  test("after a CAP REQ that changes its form, a member's room messages carry it, once", async () => {
    const { server, port } = await start();
    const a = await operIn(server);
    const w = await wsMember(port, "w");
    const b = await wsMember(port, "b", { binary: true });
    a.send("PRIVMSG #r :plain");
    await w.expect(/^:alice!\S+ PRIVMSG #r :plain$/);
    await b.expect(/^:alice!\S+ PRIVMSG #r :plain$/);
    for (const c of [w, b]) {
      c.send("CAP REQ :server-time");
      await c.expect(/ CAP \S+ ACK :server-time/);
    }
    a.send("PRIVMSG #r :timed");
    for (const c of [w, b]) {
      await c.expect(/^@time=\S+ :alice!\S+ PRIVMSG #r :timed$/);
      await settle(c, "cap-done");
      expect(c.lines.filter((l) => l.endsWith(" PRIVMSG #r :timed")).length).toBe(1);
    }
    // And back: without the capability the plain form returns.
    w.send("CAP REQ :-server-time");
    await w.expect(/ CAP \S+ ACK :-server-time/);
    a.send("PRIVMSG #r :plain again");
    await w.expect(/ PRIVMSG #r :plain again$/);
    await settle(w, "cap-back");
    expect(w.lines.filter((l) => l.endsWith(" PRIVMSG #r :plain again"))).toEqual([
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :plain again$/),
    ]);
  });

  test("text and binary members of one room each get their own kind of frame", async () => {
    const { server, port } = await start();
    const a = await operIn(server);
    const text = await wsMember(port, "texty");
    const bin = await wsMember(port, "binny", { binary: true });
    const text2 = await wsMember(port, "texty2", { caps: ["server-time"] });
    a.send("PRIVMSG #r :héllo both");
    for (const c of [text, bin, text2]) {
      await c.expect(/ PRIVMSG #r :héllo both$/);
      const i = c.lines.findIndex((l) => l.endsWith(" PRIVMSG #r :héllo both"));
      expect(c.binary[i]).toBe(c === bin);
    }
    expect(text2.lines.find((l) => l.endsWith("héllo both"))).toMatch(/^@time=/);
  });

  test("the sender gets its own message back only with echo-message, and then once", async () => {
    const { server, port } = await start();
    const a = await operIn(server);
    const quiet = await wsMember(port, "quiet");
    const echo = await wsMember(port, "echo", { caps: ["echo-message"] });
    const echoBin = await wsMember(port, "echobin", { caps: ["echo-message"], binary: true });
    quiet.send("PRIVMSG #r :from quiet");
    echo.send("PRIVMSG #r :from echo");
    echoBin.send("PRIVMSG #r :from echobin");
    await a.expect(/:echobin!\S+ PRIVMSG #r :from echobin$/);
    for (const c of [quiet, echo, echoBin]) await settle(c, "echo-done");
    const words = ["from quiet", "from echo", "from echobin"];
    const count = (c: WsClient, w: string) => c.lines.filter((l) => l.endsWith(` :${w}`)).length;
    expect(words.map((w) => count(quiet, w))).toEqual([0, 1, 1]);
    expect(words.map((w) => count(echo, w))).toEqual([1, 1, 1]);
    expect(words.map((w) => count(echoBin, w))).toEqual([1, 1, 1]);
  });

  test("a multiline message arrives as its lines: a BATCH with the cap, separate lines without", async () => {
    const { server, port } = await start();
    const a = await operIn(server, ["batch", "draft/multiline", "message-tags"]);
    const ml = await wsMember(port, "ml", { caps: ["batch", "draft/multiline", "message-tags"] });
    const plain = await wsMember(port, "plain", { binary: true });
    a.send("BATCH +b1 draft/multiline #r");
    a.send("@batch=b1 PRIVMSG #r :first line");
    a.send("@batch=b1 PRIVMSG #r :second line");
    a.send("BATCH -b1");
    await ml.expect(/ BATCH -\S+$/);
    const batch = ml.lines.slice(ml.lines.findIndex((l) => / BATCH \+/.test(l)));
    expect(batch.map((l) => l.replace(/^@\S+ /, "").replace(/(BATCH [+-])\S+/, "$1ref"))).toEqual([
      expect.stringMatching(/^:alice!\S+ BATCH \+ref draft\/multiline #r$/),
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :first line$/),
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :second line$/),
      expect.stringMatching(/^:alice!\S+ BATCH -ref$/),
    ]);
    await plain.expect(/ PRIVMSG #r :second line$/);
    expect(picked(plain, ["first line", "second line"])).toEqual([
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :first line$/),
      expect.stringMatching(/^:alice!\S+ PRIVMSG #r :second line$/),
    ]);
  });

  test("a renamed room keeps delivering to its WebSocket members, once each", async () => {
    const { server, port } = await start();
    const a = await operIn(server, ["draft/channel-rename"]);
    const w = await wsMember(port, "w", { caps: ["draft/channel-rename"] });
    const old = await wsMember(port, "old", { binary: true });
    a.send("RENAME #r #s :tidy");
    await w.expect(/ RENAME #r #s :tidy$/);
    await old.expect(/ JOIN #s$/);
    a.send("PRIVMSG #s :after rename");
    for (const c of [w, old]) {
      await c.expect(/^:alice!\S+ PRIVMSG #s :after rename$/);
      await settle(c, "rename-done");
      expect(picked(c, ["after rename"]).length).toBe(1);
    }
  });
});

describe("a WebSocket reader that stops", () => {
  test("is cut off with SendQ exceeded while WebSocket room-mates keep receiving", async () => {
    t = await startTestServer({ limits: { sendQBytes: 256 * 1024, floodLimit: false } });
    const a = await operIn(t);
    const watcher = await wsMember(t.port, "watcher", { binary: true });
    child = spawnStalledWsReader(t.port);
    await a.expect(/:slow!\S+ JOIN #r$/, 10_000);
    const cut = await floodUntilSlowIsCut(a);
    expect(cut).toBe(true);
    await watcher.expect(/:slow!\S+ QUIT :SendQ exceeded/, 10_000);
    a.send("PRIVMSG #r :still here");
    await watcher.expect(/^:alice!\S+ PRIVMSG #r :still here$/, 10_000);
    expect(watcher.closeCode).toBeUndefined();
  }, 60_000);
});
