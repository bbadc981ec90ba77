/**
 * Issue 12, point 3: WHOX (354 with the fields asked for), ELIST conditions
 * on LIST, and bot mode (+B: WHO flag, WHOIS 335, the bot tag).
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { ask, joined } from "./wire.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("WHOX", () => {
  test("the fields come in the fixed order t c u i h s n f d l a o r, whatever order was asked", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { realname: "Alice Liddell" });
    await joined(a, "alice", "#c");
    const lines = await ask(a, "WHO #c %rnfuhcta,42");
    expect(lines).toEqual([
      ":chat.server 354 alice 42 #c ~alice 127.0.0.1 alice H@ 0 :Alice Liddell",
      ":chat.server 315 alice #c :End of /WHO list",
    ]);
  });

  test("%s the server, %d 0, %l idle seconds, %a 0 (no accounts yet), %o n/a", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const [line] = await ask(a, "WHO alice %nsdlao");
    expect(line).toMatch(/^:chat\.server 354 alice chat\.server alice 0 \d+ 0 :n\/a$/);
  });

  test("an operator-only WHOX keeps the o flag before the %", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    await t.client("bob");
    expect(await ask(a, "WHO * o%n")).toEqual([":chat.server 315 alice * :End of /WHO list"]);
  });

  test("bad input: an unknown field, or t without a 1-3 digit token, is 400 and nothing else", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(await ask(a, "WHO alice %nZ")).toEqual([
      ":chat.server 400 alice WHO :Unknown WHOX field 'Z'",
    ]);
    expect(await ask(a, "WHO alice %tn")).toEqual([
      ":chat.server 400 alice WHO :The WHOX query type must be 1 to 3 digits",
    ]);
    expect(await ask(a, "WHO alice %tn,1234")).toEqual([
      ":chat.server 400 alice WHO :The WHOX query type must be 1 to 3 digits",
    ]);
    // The connection stays and a good query still works.
    expect((await ask(a, "WHO alice %n"))[0]).toBe(":chat.server 354 alice :alice");
  });

  test("ISUPPORT advertises WHOX", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(a.lines.some((l) => / 005 alice .* WHOX /.test(l))).toBe(true);
  });
});

describe("ELIST", () => {
  async function rooms(): Promise<TestClient> {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    await joined(a, "alice", "#dev");
    await joined(b, "bob", "#dev");
    await joined(a, "alice", "#devops");
    await joined(a, "alice", "#random");
    a.send("TOPIC #random :chatter");
    await a.expect(/ TOPIC #random/);
    return a;
  }
  const listed = (lines: string[]): string[] =>
    lines
      .filter((l) => / 322 /.test(l))
      .map((l) => l.split(" ")[3] as string)
      .sort();

  test("U: >N and <N filter by user count", async () => {
    const a = await rooms();
    expect(listed(await ask(a, "LIST >1"))).toEqual(["#dev"]);
    expect(listed(await ask(a, "LIST <2"))).toEqual(["#devops", "#random"]);
  });

  test("M and N: a mask, and a mask that must not match", async () => {
    const a = await rooms();
    expect(listed(await ask(a, "LIST #dev*"))).toEqual(["#dev", "#devops"]);
    expect(listed(await ask(a, "LIST !#dev*"))).toEqual(["#random"]);
  });

  test("C and T: created and topic set minutes ago", async () => {
    const a = await rooms();
    expect(listed(await ask(a, "LIST C<5"))).toEqual(["#dev", "#devops", "#random"]);
    expect(listed(await ask(a, "LIST C>5"))).toEqual([]);
    expect(listed(await ask(a, "LIST T<5"))).toEqual(["#random"]);
    expect(listed(await ask(a, "LIST T>5"))).toEqual([]);
  });

  test("conditions combine; ISUPPORT says ELIST=CMNTU", async () => {
    const a = await rooms();
    expect(listed(await ask(a, "LIST #dev*,<2"))).toEqual(["#devops"]);
    expect(a.lines.some((l) => / 005 alice .*ELIST=CMNTU /.test(l))).toBe(true);
  });

  test("a malformed condition is a name that matches no room: an empty list", async () => {
    const a = await rooms();
    expect(await ask(a, "LIST >x")).toEqual([
      ":chat.server 321 alice Channel :Users  Name",
      ":chat.server 323 alice :End of /LIST",
    ]);
  });
});

describe("bot mode (+B)", () => {
  test("WHO shows B, WHOIS sends 335, and message-tags clients get the bot tag", async () => {
    t = await startTestServer();
    const bot = await t.client("ci");
    const a = await t.client("alice", { caps: ["message-tags"] });
    const b = await t.client("bob");
    bot.send("MODE ci +B");
    await bot.expect(/^:ci!\S+ MODE ci :?\+B$/);
    for (const c of [
      [bot, "ci"],
      [a, "alice"],
      [b, "bob"],
    ] as const) {
      await joined(c[0], c[1], "#c");
    }
    expect((await ask(a, "WHO ci"))[0]).toBe(
      ":chat.server 352 alice * ~ci 127.0.0.1 chat.server ci HB :0 ci",
    );
    expect(await ask(a, "WHOIS ci")).toContain(":chat.server 335 alice ci :is a bot");
    bot.send("PRIVMSG #c :build done");
    expect(await a.expect(/ PRIVMSG #c :build done$/)).toMatch(/^@msgid=[^; ]+;bot :ci!/);
    expect(await b.expect(/ PRIVMSG #c :build done$/)).toMatch(/^:ci!/);
    bot.send("MODE ci -B");
    await bot.expect(/ MODE ci :?-B$/);
    bot.send("PRIVMSG #c :human again");
    expect(await a.expect(/ PRIVMSG #c :human again$/)).toMatch(/^@msgid=[^; ]+ :ci!/);
  });

  test("ISUPPORT says BOT=B", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(a.lines.some((l) => / 005 alice .*BOT=B /.test(l))).toBe(true);
  });
});
