/**
 * Issue 12, point 2: +e, +I, `+b m:`, +C and +s/+p on the wire, every list
 * mode with its list and end numerics, and INVITE with no parameters.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../../src/store/open.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { ask, joined } from "./wire.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** alice runs `room`; bob is registered but not in it. */
async function setup(room = "#r"): Promise<{ a: TestClient; b: TestClient }> {
  t = await startTestServer();
  const a = await t.client("alice");
  const b = await t.client("bob");
  await joined(a, "alice", room);
  return { a, b };
}

const at = /:\d+$/;

describe("list modes and their numerics", () => {
  test("+b, +e and +I each list with 367/368, 348/349, 346/347", async () => {
    const { a } = await setup();
    a.send("MODE #r +beI carol dave erin");
    await a.expect(/ MODE #r \+beI carol!\*@\* dave!\*@\* :?erin!\*@\*$/);
    const bans = await ask(a, "MODE #r b");
    expect(bans[0]).toMatch(
      /^:chat\.server 367 alice #r carol!\*@\* alice!~alice@127\.0\.0\.1 :\d+$/,
    );
    expect(bans[1]).toBe(":chat.server 368 alice #r :End of channel ban list");
    const ex = await ask(a, "MODE #r e");
    expect(ex[0]).toMatch(/^:chat\.server 348 alice #r dave!\*@\* alice!~alice@127\.0\.0\.1 /);
    expect(ex[0]).toMatch(at);
    expect(ex[1]).toBe(":chat.server 349 alice #r :End of channel exception list");
    const inv = await ask(a, "MODE #r +I");
    expect(inv[0]).toMatch(
      /^:chat\.server 346 alice #r erin!\*@\* alice!~alice@127\.0\.0\.1 :\d+$/,
    );
    expect(inv[1]).toBe(":chat.server 347 alice #r :End of channel invite list");
  });

  test("an empty list is just its end numeric", async () => {
    const { a } = await setup();
    expect(await ask(a, "MODE #r e")).toEqual([
      ":chat.server 349 alice #r :End of channel exception list",
    ]);
  });

  test("a non-operator cannot add to a list: 482, the list is unchanged", async () => {
    const { a, b } = await setup();
    await joined(b, "bob", "#r");
    expect(await ask(b, "MODE #r +e bob")).toEqual([
      ":chat.server 482 bob #r :You're not channel operator",
    ]);
    expect(await ask(a, "MODE #r e")).toEqual([
      ":chat.server 349 alice #r :End of channel exception list",
    ]);
  });
});

describe("ban exceptions (+e)", () => {
  test("a banned user matching an exception joins; the rest are still banned", async () => {
    const { a, b } = await setup();
    a.send("MODE #r +b *!*@127.0.0.1");
    await a.expect(/ MODE #r \+b/);
    expect(await ask(b, "JOIN #r")).toEqual([":chat.server 474 bob #r :Cannot join channel (+b)"]);
    a.send("MODE #r +e bob");
    await a.expect(/ MODE #r \+e/);
    b.send("JOIN #r");
    await b.expect(/^:bob!\S+ JOIN #r$/);
  });
});

describe("invite exceptions (+I)", () => {
  test("a matching user joins a +i room uninvited", async () => {
    const { a, b } = await setup();
    a.send("MODE #r +i");
    await a.expect(/ MODE #r :?\+i$/);
    expect(await ask(b, "JOIN #r")).toEqual([":chat.server 473 bob #r :Cannot join channel (+i)"]);
    a.send("MODE #r +I bob!*@*");
    await a.expect(/ MODE #r \+I/);
    b.send("JOIN #r");
    await b.expect(/^:bob!\S+ JOIN #r$/);
  });
});

describe("mute extban (+b m:mask)", () => {
  test("a muted member gets 404 and the room hears nothing; voice lifts it", async () => {
    const { a, b } = await setup();
    await joined(b, "bob", "#r");
    a.send("MODE #r +b m:bob");
    await a.expect(/ MODE #r \+b :?m:bob!\*@\*$/);
    expect(await ask(b, "PRIVMSG #r :hello?")).toEqual([
      ":chat.server 404 bob #r :Cannot send to channel (you are banned or muted)",
    ]);
    expect(await a.sees("hello?", 150)).toBe(false);
    a.send("MODE #r +v bob");
    await b.expect(/ MODE #r \+v :?bob$/);
    b.send("PRIVMSG #r :now I can");
    await a.expect(/^:bob!\S+ PRIVMSG #r :now I can$/);
  });
});

describe("no CTCP (+C)", () => {
  test("a CTCP to the room is refused; /me still goes through", async () => {
    const { a, b } = await setup();
    await joined(b, "bob", "#r");
    a.send("MODE #r +C");
    await b.expect(/ MODE #r :?\+C$/);
    expect(await ask(b, "PRIVMSG #r :\x01VERSION\x01")).toEqual([
      ":chat.server 404 bob #r :Cannot send CTCP to channel (+C)",
    ]);
    b.send("PRIVMSG #r :\x01ACTION waves\x01");
    await a.expect(/^:bob!\S+ PRIVMSG #r :\x01ACTION waves\x01$/);
  });
});

describe("mode query", () => {
  test("324 shows +s, +p and +C", async () => {
    const { a } = await setup();
    a.send("MODE #r +spC");
    await a.expect(/ MODE #r :?\+spC$/);
    expect((await ask(a, "MODE #r"))[0]).toBe(":chat.server 324 alice #r :+Cnpst");
  });
});

describe("INVITE with no parameters", () => {
  test("lists your pending invitations with 336, then 337", async () => {
    const { a, b } = await setup();
    a.send("MODE #r +i");
    await a.expect(/ MODE #r/);
    expect(await ask(b, "INVITE")).toEqual([":chat.server 337 bob :End of /INVITE list"]);
    a.send("INVITE bob #r");
    await b.expect(/ INVITE bob :?#r$/);
    expect(await ask(b, "INVITE")).toEqual([
      ":chat.server 336 bob :#r",
      ":chat.server 337 bob :End of /INVITE list",
    ]);
    b.send("JOIN #r");
    await b.expect(/ 366 bob #r /);
    expect(await ask(b, "INVITE")).toEqual([":chat.server 337 bob :End of /INVITE list"]);
  });

  test("INVITE with only a nick is 461 and the connection stays", async () => {
    const { b } = await setup();
    expect(await ask(b, "INVITE alice")).toEqual([
      ":chat.server 461 bob INVITE :Not enough parameters",
    ]);
  });
});

describe("the lists last", () => {
  test("+e, +I and a mute survive a restart on the same SQLite file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-lists-"));
    const db = join(dir, "chat.db");
    try {
      t = await startTestServer({ store: openStore({ db, history: 100 }) });
      const a = await t.client("alice");
      await joined(a, "alice", "#keep");
      a.send("MODE #keep +eIb friend guest m:troll");
      await a.expect(/ MODE #keep \+eIb /);
      await t.stop();
      t = await startTestServer({ store: openStore({ db, history: 100 }) });
      const b = await t.client("bob");
      // The mask of each list entry (the end numeric has none).
      const masks = async (mode: string) =>
        (await ask(b, `MODE #keep ${mode}`)).slice(0, -1).map((l) => l.split(" ")[4]);
      expect(await masks("e")).toEqual(["friend!*@*"]);
      expect(await masks("I")).toEqual(["guest!*@*"]);
      expect(await masks("b")).toEqual(["m:troll!*@*"]);
    } finally {
      await t?.stop();
      t = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
