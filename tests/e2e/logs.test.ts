/**
 * The compiled server's log: one event a line (text or JSON), connects,
 * disconnects, opers, kills, bans and kicks included, filtered by level, and
 * never a password: neither the configured ones nor a wrong guess.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { ensureChatBinary } from "../helpers/binary.ts";
import { TestClient } from "../helpers/irc-client.ts";
import { type ServeProcess, serveCommand, spawnServe } from "../helpers/serve-process.ts";

beforeAll(ensureChatBinary, 120_000);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

const SERVER_PW = "server-Secret-31";
const OPER_PW = "oper-Secret-47";
const WRONG_GUESS = "wrong-Guess-59";
const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp" };

async function serve(args: string[]): Promise<ServeProcess> {
  const server = await spawnServe(
    serveCommand(
      ["--db", ":memory:", "--password", SERVER_PW, "--oper", `root:${OPER_PW}`, ...args],
      "binary",
    ),
    { env: ENV, readyWhen: /Press Ctrl-C/ },
  );
  cleanups.push(() => server.stop());
  return server;
}

async function client(port: number, nick: string): Promise<TestClient> {
  const c = await TestClient.connect(port);
  cleanups.push(() => c.close());
  await c.register(nick, { password: SERVER_PW });
  return c;
}

/** Everything an operator does that a host may need to trace, then everyone leaves. */
async function moderate(port: number): Promise<void> {
  const op = await client(port, "opal");
  const bob = await client(port, "bob");
  const carl = await client(port, "carl");
  op.send(`OPER root ${WRONG_GUESS}`);
  await op.expect(/ 464 /);
  op.send(`OPER root ${OPER_PW}`);
  await op.expect(/ 381 /);
  op.send("JOIN #room");
  await op.expect(/ 366 /);
  bob.send("JOIN #room");
  await bob.expect(/ 366 /);
  op.send("MODE #room +b *!*@spam.example");
  await op.expect(/ MODE #room \+b /);
  op.send("KICK #room bob :off topic");
  await bob.expect(/ KICK #room bob /);
  op.send("KILL carl :spamming");
  await carl.waitClosed();
  op.send("KLINE *!*@bad.example :abuse");
  await op.expect(/NOTICE|KLINE|bad\.example/);
  op.send("QUIT :bye");
  await op.waitClosed();
}

/** Wait (bounded) until the log holds `pattern`. */
async function logged(server: ServeProcess, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 250 && !pattern.test(server.stderr()); i++) await Bun.sleep(20);
}

describe("chat serve logs (compiled binary)", () => {
  test("--log-format json: one JSON event a line for every kind, and no password anywhere", async () => {
    const server = await serve(["--log-format", "json"]);
    await moderate(server.port);
    // opal's disconnect is the last event of the scenario.
    await logged(server, /"nick":"opal"[^\n]*"event":"disconnect"/);
    await server.stop();
    const lines = server.stderr().trim().split("\n");
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of events) {
      expect(typeof e.time).toBe("string");
      expect(["debug", "info", "warn", "error"]).toContain(e.level as string);
      expect(typeof e.msg).toBe("string");
    }
    const kinds = new Set(events.map((e) => e.event));
    for (const kind of [
      "connect",
      "registered",
      "oper-failed",
      "oper",
      "ban",
      "kick",
      "kill",
      "kline",
      "disconnect",
    ]) {
      expect(kinds.has(kind), `no ${kind} event in:\n${server.stderr()}`).toBe(true);
    }
    expect(events.find((e) => e.event === "kill")).toMatchObject({
      nick: "carl",
      by: "opal",
      reason: "spamming",
    });
    expect(events.find((e) => e.event === "oper")).toMatchObject({ nick: "opal", name: "root" });
    const all = server.output();
    for (const secret of [SERVER_PW, OPER_PW, WRONG_GUESS]) expect(all).not.toContain(secret);
  });

  test("--log-format json stays JSON when a password is made of characters the log is made of", async () => {
    // A password such as "1" or "," is masked inside the values, not in the
    // written line: masking the line broke `"id":1` and every timestamp.
    const server = await spawnServe(
      serveCommand(["--db", ":memory:", "--password", "1", "--log-format", "json"], "binary"),
      { env: ENV, readyWhen: /Press Ctrl-C/ },
    );
    cleanups.push(() => server.stop());
    const c = await TestClient.connect(server.port);
    cleanups.push(() => c.close());
    await c.register("kim", { password: "1" });
    c.send("QUIT :my password is 1");
    await c.waitClosed();
    await logged(server, /"event":"disconnect"/);
    await server.stop();
    const events = server
      .stderr()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(["connect", "registered", "disconnect"]);
    for (const e of events) expect(e.time as string).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    // The address holds a "1" and is masked like any other text; the number is not text.
    expect(events[0]?.id).toBe(1);
    expect(events[2]?.reason).toBe("Quit: my password is ********");
  });

  test("text at --log-level warn: refusals and failed OPERs only, one line each, no password", async () => {
    const server = await serve(["--log-level", "warn", "--max-per-ip", "1"]);
    const a = await client(server.port, "alice");
    a.send(`OPER root ${WRONG_GUESS}`);
    await a.expect(/ 464 /);
    const extra = await TestClient.connect(server.port);
    cleanups.push(() => extra.close());
    await extra.waitClosed();
    await logged(server, /refused/);
    await server.stop();
    const lines = server.stderr().trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z warn failed OPER by alice from 127\.0\.0\.1$/,
    );
    expect(lines[1]).toMatch(/ warn refused 127\.0\.0\.1: per-address connection limit$/);
    for (const secret of [SERVER_PW, OPER_PW, WRONG_GUESS])
      expect(server.output()).not.toContain(secret);
  });
});
