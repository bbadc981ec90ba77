/**
 * Every row of DESIGN.md's limits table, over real sockets, each with its own test.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { type CoreApi, type Front, PLAIN_VARIANT } from "../../../src/core/api.ts";
import { COMMANDS } from "../../../src/fronts/irc/commands.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
let child: Subprocess | undefined;
afterEach(async () => {
  if (child !== undefined) {
    child.kill();
    await child.exited;
    child = undefined;
  }
  await t?.stop();
  t = undefined;
});

async function room(
  limits: Parameters<typeof startTestServer>[0] extends infer O
    ? O extends { limits?: infer L }
      ? L
      : never
    : never,
) {
  t = await startTestServer({ limits });
  const a = await t.client("alice");
  const b = await t.client("bob");
  a.send("JOIN #r");
  b.send("JOIN #r");
  await a.expect(/:bob!\S+ JOIN #r$/);
  await b.expect(/ 366 bob #r /);
  return { a, b };
}

describe("limits and bad input", () => {
  test("an overlong line gets 417 and the connection stays", async () => {
    const { a, b } = await room({});
    a.send(`PRIVMSG #r :${"x".repeat(600)}`);
    await a.expect(/ 417 alice :Input line was too long/);
    // Far past the framing limit (tags included): still 417, still connected.
    a.send(`PRIVMSG #r :${"y".repeat(20_000)}`);
    await a.expect(/ 417 alice /);
    // Client tags over 4094 bytes: 417 as well.
    a.send(`@+big=${"t".repeat(5000)} PRIVMSG #r :tagged`);
    await a.expect(/ 417 alice /);
    a.send("PRIVMSG #r :still here");
    await b.expect(/PRIVMSG #r :still here$/);
    const got = b.drain().join("\n");
    expect(got).not.toContain("xxxx");
  });

  test("invalid UTF-8 is refused with FAIL INVALID_UTF8 (UTF8ONLY), never crashes, others unaffected", async () => {
    const { a, b } = await room({});
    const bad = new Uint8Array([
      ...new TextEncoder().encode("PRIVMSG #r :bad "),
      0xff,
      0xfe,
      0xc3,
      0x28,
      ...new TextEncoder().encode(" end\r\n"),
    ]);
    a.sendRaw(bad);
    await a.expect(/^:\S+ FAIL PRIVMSG INVALID_UTF8 :/);
    b.send("PRIVMSG #r :fine");
    await a.expect(/PRIVMSG #r :fine$/);
    a.send("PRIVMSG #r :fine");
    await b.expect(/PRIVMSG #r :fine$/);
    // Nothing of the refused line reached the room, with or without replacement characters.
    expect(b.lines.some((l) => l.includes("PRIVMSG #r :bad"))).toBe(false);
  });

  test("NUL, bare CR and control bytes are stripped, never relayed raw", async () => {
    const { a, b } = await room({});
    a.sendRaw("PRIVMSG #r :a\x00b\rc\x1b[31md\x07e\x02bold\x02\r\n");
    const line = await b.expect(/PRIVMSG #r :/);
    const text = line.slice(line.indexOf(" :") + 2);
    expect(text).toBe("abc[31mde\x02bold\x02");
    expect(line).not.toMatch(/[\x00\r\x1b\x07]/);
  });

  test("unknown command gets 421", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    a.send("XYZZY plugh");
    await a.expect(/ 421 alice XYZZY :Unknown command/);
  });

  test("nick taken gets 433 and an invalid nick 432", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    a.send("NICK :bad nick");
    await a.expect(/ 432 alice :?bad_nick /);
    a.send("NICK -dash");
    await a.expect(/ 432 alice -dash /);
    await t.client("bob");
    a.send("NICK BOB");
    await a.expect(/ 433 alice BOB :Nickname is already in use/);
  });

  test("floods are throttled by the token bucket, and sustained abuse disconnects", async () => {
    const { a, b } = await room({ floodBurst: 3, floodRate: 100, floodBacklog: 30, tickMs: 20 });
    // A burst larger than the bucket is delayed, not dropped.
    for (let i = 1; i <= 10; i++) a.send(`PRIVMSG #r :burst ${i}`);
    for (let i = 1; i <= 10; i++) await b.expect(new RegExp(`PRIVMSG #r :burst ${i}$`));
    // Far more than the backlog at once: disconnected with a clear reason.
    a.sendRaw("PRIVMSG #r :flood\r\n".repeat(200));
    await a.expect(/^ERROR :Closing link: \S+ \(Excess Flood\)/);
    await a.waitClosed();
    await b.expect(/^:alice!\S+ QUIT :Excess Flood$/);
  });

  test("a client that never reads is cut off with SendQ exceeded; others keep receiving", async () => {
    const { a, b } = await room({ sendQBytes: 256 * 1024, floodLimit: false });
    // A real process that joins the room and then never reads its socket.
    const script = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"NICK slow\\r\\nUSER slow 0 * :slow\\r\\nJOIN #r\\r\\n")
buf = b""
while b" 366 " not in buf:
    buf += s.recv(4096)
print("joined", flush=True)
time.sleep(30)
`;
    child = Bun.spawn(["/usr/bin/python3", "-c", script, String((t as TestServer).port)], {
      stdout: "pipe",
    });
    await a.expect(/:slow!\S+ JOIN #r$/);
    const payload = "z".repeat(400);
    let cut = false;
    // Bounded: at most 40,000 lines (~16 MB) or until the slow one is dropped.
    // Each round (~40 KB) stays well under the cap, so only a reader that stalls overflows.
    for (let round = 0; round < 400 && !cut; round++) {
      let batch = "";
      for (let i = 0; i < 100; i++) batch += `PRIVMSG #r :${round}.${i} ${payload}\r\n`;
      a.sendRaw(batch);
      a.send(`PING r${round}`);
      await a.expect(`PONG`, 10_000);
      cut = a.lines.some((l) => /:slow!\S+ QUIT :SendQ exceeded/.test(l));
    }
    expect(cut).toBe(true);
    // bob still receives everything, up to a marker sent after the cut.
    a.send("PRIVMSG #r :after the cut");
    await b.expect(/PRIVMSG #r :after the cut$/, 10_000);
    const got = b.lines.filter((l) => l.includes(" PRIVMSG #r :")).length;
    expect(got).toBeGreaterThan(200);
  }, 30_000);

  test("a silent peer is PINGed when idle and dropped on timeout; a live one stays", async () => {
    t = await startTestServer({ limits: { pingIdleMs: 150, pingTimeoutMs: 1000, tickMs: 25 } });
    const dead = await t.client("dead");
    const live = await t.client("live");
    await dead.expect(/^PING :/);
    await live.expect(/^PING :/);
    live.send("PONG :chat.server");
    await dead.expect(/^ERROR :Closing link: \S+ \(Ping timeout: \d+ seconds\)/);
    await dead.waitClosed();
    // The live one answered: it is PINGed again rather than dropped.
    await live.expect(/^PING :/);
    live.send("PING still");
    await live.expect("PONG");
  });

  test("a connection that never registers is dropped after the timeout", async () => {
    t = await startTestServer({ limits: { registrationTimeoutMs: 200, tickMs: 25 } });
    const c = await TestClient.connect(t.port);
    c.send("NICK halfway");
    await c.expect(/^ERROR :Closing link: \S+ \(Registration timeout\)/);
    await c.waitClosed();
  });

  test("a human on nc gets longer to pick a nickname than an IRC client", async () => {
    t = await startTestServer({
      plainFront: undefined,
      limits: {
        registrationTimeoutMs: 150,
        plainRegistrationTimeoutMs: 1500,
        plainDetectMs: 50,
        tickMs: 20,
      },
    });
    const human = await TestClient.connect(t.port);
    const ircClient = await TestClient.connect(t.port);
    ircClient.send("NICK slowpoke");
    await human.expect("Pick a nickname");
    await ircClient.waitClosed();
    // The IRC client is gone; the silent human is still there, and goes later.
    expect(human.closed).toBe(false);
    await human.waitClosed(5000);
    expect(human.lines.join("\n")).toMatch(/Registration timeout/i);
  });

  test("too many connections from one address are refused with a clear message", async () => {
    t = await startTestServer({ limits: { maxConnectionsPerIp: 2 } });
    const c1 = await TestClient.connect(t.port);
    const c2 = await TestClient.connect(t.port);
    const c3 = await TestClient.connect(t.port);
    await c3.expect(/^ERROR :Too many connections from your address \(limit 2\)/);
    await c3.waitClosed();
    c1.close();
    c2.send("NICK two");
    c2.send("USER two 0 * :two");
    await c2.expect(/ 001 two /);
  });

  test("too many connections in total are refused with a clear message", async () => {
    t = await startTestServer({ limits: { maxConnections: 2 } });
    const c1 = await TestClient.connect(t.port);
    const c2 = await TestClient.connect(t.port);
    const c3 = await TestClient.connect(t.port);
    await c3.expect(/^ERROR :Server full/);
    await c3.waitClosed();
    c1.close();
    c2.close();
  });

  test("an exception inside a handler closes only that connection", async () => {
    const { a, b } = await room({});
    COMMANDS.EXPLODE = {
      handler: () => {
        throw new Error("handler bug");
      },
      minParams: 0,
    };
    try {
      a.send("EXPLODE");
      await a.expect(/^ERROR :Closing link: \S+ \(Internal server error\)/);
      await a.waitClosed();
      await b.expect(/:alice!\S+ QUIT :Internal server error$/);
      const c = await (t as TestServer).client("carol");
      c.send("JOIN #r");
      await c.expect(/ 353 carol = #r :bob carol$/);
      c.send("PRIVMSG #r :server is fine");
      await b.expect(/PRIVMSG #r :server is fine$/);
      expect((t as TestServer).logs.some((l) => l.includes("handler bug"))).toBe(true);
    } finally {
      delete COMMANDS.EXPLODE;
    }
  });
});

describe("a front that throws", () => {
  test("only the recipient whose rendering failed is cut off; the room still gets the message", async () => {
    const encoder = new TextEncoder();
    // A human front whose rendering of room events is broken.
    const broken = (core: CoreApi): Front => ({
      kind: "plain",
      variant: () => PLAIN_VARIANT,
      start() {},
      line(text) {
        core.setNick(text.trim());
        core.setUser(text.trim(), text.trim());
        core.register(undefined);
        core.join("#r");
      },
      render(ev) {
        if (ev.type === "message" && ev.target.startsWith("#")) throw new Error("render bug");
        if (ev.type === "message") throw new Error("direct bug");
        return null;
      },
      overlong() {},
      notice() {},
      error() {},
      ping: () => null,
      farewell: (reason) => encoder.encode(`bye: ${reason}\r\n`),
    });
    t = await startTestServer({ plainFront: broken });
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #r");
    b.send("JOIN #r");
    await a.expect(/:bob!\S+ JOIN #r$/);
    const human = await TestClient.connect(t.port);
    human.send("brokenhuman");
    await a.expect(/:brokenhuman!\S+ JOIN #r$/);
    // alice's message makes the human's front throw: alice must not pay for it.
    a.send("PRIVMSG #r :still delivered");
    await b.expect(/PRIVMSG #r :still delivered$/);
    await human.waitClosed();
    await a.expect(/:brokenhuman!\S+ QUIT :Internal server error$/);
    a.send("PING alive");
    await a.expect(/PONG \S+ :alive$/);
    expect((t as TestServer).logs.some((l) => l.includes("render bug"))).toBe(true);

    // The same for a private message to a human whose front throws.
    const other = await TestClient.connect((t as TestServer).port);
    other.send("brokentoo");
    await a.expect(/:brokentoo!\S+ JOIN #r$/);
    a.send("PRIVMSG brokentoo :psst");
    await other.waitClosed();
    a.send("PING alive2");
    await a.expect(/PONG \S+ :alive2$/);
    expect((t as TestServer).logs.some((l) => l.includes("direct bug"))).toBe(true);
  });
});
