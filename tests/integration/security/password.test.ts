/**
 * The server password, for IRC clients (PASS -> 464 and close) and plain-text
 * users (a prompt, then a clear line and close), and that no secret ever
 * reaches the server's log (stderr of the real `chat serve` process).
 */
import { describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { serveCommand, spawnServe } from "../../helpers/serve-process.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { freedAfterEach } from "./helpers.ts";

const PASSWORD = "s3cret-Pa55word";
const live = freedAfterEach();

async function connect(s: TestServer): Promise<TestClient> {
  const c = await TestClient.connect(s.port);
  live.clients.push(c);
  return c;
}

describe("IRC clients and the server password", () => {
  test("the right password registers", async () => {
    live.server = await startTestServer({ password: PASSWORD });
    const c = await connect(live.server);
    await c.register("alice", { password: PASSWORD });
  });

  test("a wrong password gets 464 and the connection is closed", async () => {
    live.server = await startTestServer({ password: PASSWORD });
    const c = await connect(live.server);
    c.send("PASS wrong");
    c.send("NICK mallory");
    c.send("USER m 0 * :m");
    await c.expect(/ 464 \S+ :Password incorrect/);
    await c.waitClosed();
    expect(c.lines.some((l) => / 001 /.test(l))).toBe(false);
  });

  test("no PASS at all gets 464 and the connection is closed", async () => {
    live.server = await startTestServer({ password: PASSWORD });
    const c = await connect(live.server);
    c.send("NICK mallory");
    c.send("USER m 0 * :m");
    await c.expect(/ 464 /);
    await c.waitClosed();
  });

  test("a password differing only in case or length is wrong", async () => {
    live.server = await startTestServer({ password: PASSWORD });
    for (const guess of [PASSWORD.toUpperCase(), `${PASSWORD}x`, PASSWORD.slice(0, -1)]) {
      const c = await connect(live.server);
      c.send(`PASS ${guess}`);
      c.send("NICK m");
      c.send("USER m 0 * :m");
      await c.expect(/ 464 /);
      await c.waitClosed();
    }
  });

  test("an unregistered client cannot read or post in rooms", async () => {
    live.server = await startTestServer({ password: PASSWORD });
    const alice = await connect(live.server);
    await alice.register("alice", { password: PASSWORD });
    alice.send("JOIN #secret");
    await alice.expect(/ 366 /);
    const m = await connect(live.server);
    m.send("JOIN #secret");
    m.send("PRIVMSG #secret :let me in");
    await m.expect(/ 451 /);
    alice.send("PING :sync");
    await alice.expect(/PONG/);
    expect(alice.lines.some((l) => l.includes("let me in"))).toBe(false);
  });
});

describe("plain-text users and the server password", () => {
  async function plainServer(): Promise<TestServer> {
    live.server = await startTestServer({ password: PASSWORD, plainFront: undefined });
    return live.server;
  }

  test("the right password, then a nickname, lands in #lobby", async () => {
    const c = await connect(await plainServer());
    // The first line a human types is the answer to the password question.
    c.send(PASSWORD);
    await c.expect("This server has a password. Password?");
    await c.expect("Password accepted");
    c.send("nina");
    await c.expect(/#lobby/);
  });

  test("a wrong password is said plainly; after three the connection closes", async () => {
    const c = await connect(await plainServer());
    c.send("guess1");
    await c.expect("This server has a password. Password?");
    await c.expect("*** Wrong password. Password?");
    c.send("guess2");
    await c.expect("*** Wrong password. Password?");
    c.send("guess3");
    await c.expect("closing the connection");
    await c.waitClosed();
    expect(c.lines.some((l) => l.includes("Password accepted"))).toBe(false);
  });

  test("a missing password (typing a nickname instead) does not get in", async () => {
    const c = await connect(await plainServer());
    c.send("nina");
    await c.expect("This server has a password. Password?");
    await c.expect("*** Wrong password. Password?");
    c.send("/join #lobby");
    await c.expect("*** Wrong password. Password?");
    expect(c.lines.some((l) => /#lobby/.test(l))).toBe(false);
  });
});

describe("guessing the password across reconnects", () => {
  test("after too many wrong passwords from one address, new IRC connections are refused for a while", async () => {
    live.server = await startTestServer({
      password: PASSWORD,
      limits: { passwordFailuresMax: 3, passwordFailuresWindowMs: 60_000 },
    });
    // One right password before: it does not count against the address.
    const ok = await connect(live.server);
    await ok.register("fine", { password: PASSWORD });
    for (let i = 0; i < 3; i++) {
      const c = await connect(live.server);
      c.send(`PASS guess${i}`);
      c.send(`NICK g${i}`);
      c.send(`USER g 0 * :g`);
      await c.expect(/ 464 /);
      await c.waitClosed();
    }
    const locked = await connect(live.server);
    await locked.expect(
      /^ERROR :Too many wrong passwords from your address; try again in \d+ seconds?$/,
    );
    await locked.waitClosed();
    // Even the right password waits: the point is to stop guessing, not to judge this guess.
    const right = await connect(live.server);
    await right.expect(/^ERROR :Too many wrong passwords/);
    // Users already in are not affected.
    ok.send("PING :still");
    await ok.expect(/PONG .*still/);
  });

  test("plain-text wrong passwords count too", async () => {
    live.server = await startTestServer({
      password: PASSWORD,
      plainFront: undefined,
      limits: { passwordFailuresMax: 3, passwordFailuresWindowMs: 60_000 },
    });
    const c = await connect(live.server);
    for (const guess of ["one", "two", "three"]) {
      c.send(guess);
      await c.expect("Wrong password");
    }
    await c.waitClosed();
    const next = await connect(live.server);
    await next.expect(/^ERROR :Too many wrong passwords/);
  });
});

describe("secrets never reach the log", () => {
  test("chat serve's stderr has no password or oper password after right and wrong attempts", async () => {
    const OPERPW = "0per-Secret-77";
    const server = await spawnServe(
      serveCommand(["--db", ":memory:", "--password", PASSWORD, "--oper", `root:${OPERPW}`]),
      { env: { ...process.env, NO_COLOR: "1" } },
    );
    try {
      const port = server.port;
      const wrong = await TestClient.connect(port);
      live.clients.push(wrong);
      wrong.send(`PASS not-${PASSWORD}`);
      wrong.send("NICK w");
      wrong.send("USER w 0 * :w");
      await wrong.waitClosed();
      const ok = await TestClient.connect(port);
      live.clients.push(ok);
      await ok.register("root", { password: PASSWORD });
      ok.send(`OPER root wrong-${OPERPW}`);
      await ok.expect(/ 464 /);
      ok.send(`OPER root ${OPERPW}`);
      await ok.expect(/ 381 /);
      const plainUser = await TestClient.connect(port);
      live.clients.push(plainUser);
      plainUser.send(`typed-${PASSWORD}`);
      await plainUser.expect("Wrong password");
      ok.send("QUIT :done");
      await ok.waitClosed();
    } finally {
      await server.stop("SIGTERM");
    }
    const stderr = server.stderr();
    // The log is there (connects, the oper login), but holds no secret.
    expect(stderr).toContain("oper root");
    expect(stderr).not.toContain(PASSWORD);
    expect(stderr).not.toContain(OPERPW);
  }, 20_000);
});
