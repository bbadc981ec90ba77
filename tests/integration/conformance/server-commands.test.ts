/**
 * Issue 12, point 3: STATUSMSG, HELP/HELPOP, LINKS, WALLOPS, INFO, TIME,
 * VERSION and ADMIN, with their bad-input replies.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { COMMANDS } from "../../../src/fronts/irc/commands.ts";
import { OperCredentials } from "../../../src/security/password.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { ask, joined } from "./wire.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("STATUSMSG", () => {
  test("PRIVMSG @#room reaches only operators; +#room voiced members too; never stored", async () => {
    t = await startTestServer();
    const op = await t.client("alice");
    const voiced = await t.client("vic");
    const plain = await t.client("pat");
    await joined(op, "alice", "#r");
    await joined(voiced, "vic", "#r");
    await joined(plain, "pat", "#r");
    op.send("MODE #r +v vic");
    await voiced.expect(/ MODE #r \+v :?vic$/);
    plain.send("PRIVMSG @#r :ops only");
    await op.expect(/^:pat!\S+ PRIVMSG @#r :ops only$/);
    plain.send("PRIVMSG +#r :voice and ops");
    await op.expect(/^:pat!\S+ PRIVMSG \+#r :voice and ops$/);
    await voiced.expect(/^:pat!\S+ PRIVMSG \+#r :voice and ops$/);
    expect(voiced.lines.some((l) => l.includes("ops only"))).toBe(false);
    // The sender gets no copy without echo-message, and history keeps neither.
    plain.send("PRIVMSG #r :for everyone");
    await op.expect(/ PRIVMSG #r :for everyone$/);
    plain.send("PING sync");
    await plain.expect("PONG");
    expect(plain.lines.some((l) => l.includes("PRIVMSG @#r") || l.includes("PRIVMSG +#r"))).toBe(
      false,
    );
    const stored = t.store.latest("#r", 10).map((e) => e.text);
    expect(stored).toContain("for everyone");
    expect(stored).not.toContain("ops only");
    expect(stored).not.toContain("voice and ops");
  });

  test("an echo-message sender gets its own copy even without the status", async () => {
    t = await startTestServer();
    const op = await t.client("alice");
    const pat = await t.client("pat", { caps: ["echo-message"] });
    await joined(op, "alice", "#r");
    await joined(pat, "pat", "#r");
    pat.send("PRIVMSG @#r :heads up");
    await pat.expect(/^:pat!\S+ PRIVMSG @#r :heads up$/);
    await op.expect(/^:pat!\S+ PRIVMSG @#r :heads up$/);
  });

  test("the room's rules still apply: an outsider of a +n room gets 404", async () => {
    t = await startTestServer();
    const op = await t.client("alice");
    const out = await t.client("olly");
    await joined(op, "alice", "#r");
    expect(await ask(out, "PRIVMSG @#r :hi")).toEqual([
      ":chat.server 404 olly #r :Cannot send to channel",
    ]);
  });

  test("bad input: a status message to no such room is 403; the connection stays", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(await ask(a, "PRIVMSG @#nowhere :hi")).toEqual([
      ":chat.server 403 alice #nowhere :No such channel",
    ]);
    expect(await ask(a, "PING ok")).toEqual([":chat.server PONG chat.server :ok"]);
  });

  test("ISUPPORT says STATUSMSG=@+", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(a.lines.some((l) => / 005 alice .*STATUSMSG=@\+ /.test(l))).toBe(true);
  });
});

describe("HELP and HELPOP", () => {
  test("a topic: 704 first line, 705 the rest, 706", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const lines = await ask(a, "HELP monitor");
    expect(lines[0]).toBe(
      ":chat.server 704 alice monitor :MONITOR + <nick>{,<nick>} | MONITOR - <nick>{,<nick>} | MONITOR C|L|S",
    );
    expect(lines[1]).toMatch(/^:chat\.server 705 alice monitor :/);
    expect(lines.at(-1)).toBe(":chat.server 706 alice monitor :End of /HELP");
  });

  test("bare HELPOP is the index, subject *", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const lines = await ask(a, "HELPOP");
    expect(lines[0]).toMatch(/^:chat\.server 704 alice \* :/);
    expect(lines.at(-1)).toBe(":chat.server 706 alice * :End of /HELP");
  });

  test("every command the server takes has a topic and is in the index", async () => {
    // One HELP per command is more lines than the flood bucket lets through quickly.
    t = await startTestServer({ limits: { floodLimit: false } });
    const a = await t.client("alice");
    const index = (await ask(a, "HELP"))
      .filter((l) => / 705 /.test(l))
      .flatMap((l) => l.slice(l.indexOf(" :") + 2).split(" "));
    const verbs = Object.keys(COMMANDS).sort();
    expect(verbs.filter((v) => !index.includes(v))).toEqual([]);
    const missing: string[] = [];
    for (const verb of verbs) {
      const first = (await ask(a, `HELP ${verb}`))[0] ?? "";
      if (!first.includes(` 704 alice ${verb} :`)) missing.push(verb);
    }
    expect(missing).toEqual([]);
  });

  test("an unknown topic is 524 and nothing else", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(await ask(a, "HELP nosuch")).toEqual([
      ":chat.server 524 alice nosuch :No help available on this topic",
    ]);
  });
});

describe("server information", () => {
  test("LINKS lists this server and ends with 365", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(await ask(a, "LINKS")).toEqual([
      ":chat.server 364 alice * chat.server :0 chat chat server",
      ":chat.server 365 alice * :End of /LINKS list",
    ]);
  });

  test("INFO is 371 lines and 374", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const lines = await ask(a, "INFO");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(0, -1).every((l) => l.startsWith(":chat.server 371 alice :"))).toBe(true);
    expect(lines.at(-1)).toBe(":chat.server 374 alice :End of /INFO list");
  });

  test("ADMIN is 256-259", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const lines = await ask(a, "ADMIN");
    expect(lines.map((l) => l.split(" ")[1])).toEqual(["256", "257", "258", "259"]);
    expect(lines[0]).toBe(":chat.server 256 alice chat.server :Administrative info");
  });

  test("TIME is 391 and VERSION 351 then ISUPPORT", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect((await ask(a, "TIME"))[0]).toMatch(/^:chat\.server 391 alice chat\.server \d+ 0 :/);
    const version = await ask(a, "VERSION");
    expect(version[0]).toMatch(/^:chat\.server 351 alice \S+ chat\.server :/);
    expect(version[1]).toMatch(/ 005 alice /);
  });
});

describe("WALLOPS", () => {
  async function withOper() {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const root = await t.client("root");
    root.send("OPER root pw");
    await root.expect(/ 381 root /);
    return root;
  }

  test("an operator's WALLOPS reaches +w users only", async () => {
    const root = await withOper();
    const server = t as TestServer;
    const w = await server.client("wanda");
    const n = await server.client("ned");
    w.send("MODE wanda +w");
    await w.expect(/ MODE wanda :?\+w$/);
    root.send("WALLOPS :maintenance at noon");
    await w.expect(/^:root!~root@127\.0\.0\.1 WALLOPS :maintenance at noon$/);
    n.send("PING sync");
    await n.expect("PONG");
    expect(n.lines.some((l) => l.includes("WALLOPS"))).toBe(false);
  });

  test("bad input: 481 for a non-operator, 461 without text; nobody hears anything", async () => {
    const root = await withOper();
    const server = t as TestServer;
    const w = await server.client("wanda");
    w.send("MODE wanda +w");
    await w.expect(/ MODE wanda/);
    expect(await ask(w, "WALLOPS :hi all")).toEqual([
      ":chat.server 481 wanda :Permission Denied- You're not an IRC operator",
    ]);
    expect(await ask(root, "WALLOPS")).toEqual([
      ":chat.server 461 root WALLOPS :Not enough parameters",
    ]);
    w.send("PING sync");
    await w.expect("PONG");
    expect(w.lines.some((l) => / WALLOPS /.test(l))).toBe(false);
  });
});
