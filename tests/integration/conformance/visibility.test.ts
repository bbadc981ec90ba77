/**
 * Issue 12, point 1: NAMES symbols and lists, and who sees secret rooms and
 * invisible users (NAMES, LIST, WHO), at the wire level.
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

/** alice in a secret room #sec; bob registered, outside it. */
async function secretRoom(): Promise<{ a: TestClient; b: TestClient }> {
  t = await startTestServer();
  const a = await t.client("alice");
  const b = await t.client("bob");
  await joined(a, "alice", "#sec");
  a.send("MODE #sec +s");
  await a.expect(/ MODE #sec :?\+s$/);
  return { a, b };
}

describe("NAMES", () => {
  test("the 353 symbol is @ for a secret room, * for a private one, = otherwise", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    await joined(a, "alice", "#pub");
    await joined(a, "alice", "#sec");
    await joined(a, "alice", "#priv");
    a.send("MODE #sec +s");
    await a.expect(/ MODE #sec :?\+s$/);
    a.send("MODE #priv +p");
    await a.expect(/ MODE #priv :?\+p$/);
    expect(await ask(a, "NAMES #pub")).toEqual([
      ":chat.server 353 alice = #pub :@alice",
      ":chat.server 366 alice #pub :End of /NAMES list",
    ]);
    expect((await ask(a, "NAMES #sec"))[0]).toBe(":chat.server 353 alice @ #sec :@alice");
    expect((await ask(a, "NAMES #priv"))[0]).toBe(":chat.server 353 alice * #priv :@alice");
  });

  test("NAMES #a,#b answers each room with its own 353 and its own 366", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    await joined(a, "alice", "#a");
    await joined(b, "bob", "#b");
    expect(await ask(a, "NAMES #a,#b")).toEqual([
      ":chat.server 353 alice = #a :@alice",
      ":chat.server 366 alice #a :End of /NAMES list",
      ":chat.server 353 alice = #b :@bob",
      ":chat.server 366 alice #b :End of /NAMES list",
    ]);
  });

  test("a secret room shows no members to a non-member: only its 366", async () => {
    const { b } = await secretRoom();
    expect(await ask(b, "NAMES #sec")).toEqual([":chat.server 366 bob #sec :End of /NAMES list"]);
  });
});

describe("LIST", () => {
  test("never shows a secret room to a non-member; a member sees it", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    await joined(a, "alice", "#sec");
    await joined(a, "alice", "#pub");
    a.send("MODE #sec +s");
    await a.expect(/ MODE #sec/);
    const bobSees = (await ask(b, "LIST")).filter((l) => / 322 /.test(l));
    expect(bobSees).toEqual([":chat.server 322 bob #pub 1 :"]);
    expect(await ask(b, "LIST #sec")).toEqual([
      ":chat.server 321 bob Channel :Users  Name",
      ":chat.server 323 bob :End of /LIST",
    ]);
    const aliceSees = (await ask(a, "LIST")).filter((l) => / 322 /.test(l));
    expect(aliceSees.sort()).toEqual([
      ":chat.server 322 alice #pub 1 :",
      ":chat.server 322 alice #sec 1 :",
    ]);
  });
});

describe("WHO and invisible users", () => {
  test("a mask skips +i users who share no room; an exact nick shows them", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    b.send("MODE bob +i");
    await b.expect(/ MODE bob :?\+i/);
    const masked = await ask(a, "WHO b*");
    expect(masked).toEqual([":chat.server 315 alice b* :End of /WHO list"]);
    const exact = await ask(a, "WHO bob");
    expect(exact).toEqual([
      ":chat.server 352 alice * ~bob 127.0.0.1 chat.server bob H :0 bob",
      ":chat.server 315 alice bob :End of /WHO list",
    ]);
  });

  test("a mask shows an invisible user who shares a room with the asker", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    b.send("MODE bob +i");
    await b.expect(/ MODE bob/);
    await joined(a, "alice", "#c");
    await joined(b, "bob", "#c");
    const masked = (await ask(a, "WHO b*")).filter((l) => / 352 /.test(l));
    expect(masked).toEqual([":chat.server 352 alice * ~bob 127.0.0.1 chat.server bob H :0 bob"]);
  });

  test("WHO on a secret room the asker is not in lists nobody", async () => {
    const { b } = await secretRoom();
    expect(await ask(b, "WHO #sec")).toEqual([":chat.server 315 bob #sec :End of /WHO list"]);
  });
});

describe("TOPIC of a secret room", () => {
  test("is not shown to a non-member (442); a member sees it", async () => {
    const { a, b } = await secretRoom();
    a.send("TOPIC #sec :the plan");
    await a.expect(/ TOPIC #sec :the plan$/);
    expect(await ask(b, "TOPIC #sec")).toEqual([
      ":chat.server 442 bob #sec :You're not on that channel",
    ]);
    expect((await ask(a, "TOPIC #sec"))[0]).toBe(":chat.server 332 alice #sec :the plan");
  });
});

describe("WHOIS", () => {
  // RFC 2811 4.2.6: secret and private rooms "MUST be omitted from replies to
  // queries like the WHOIS command" for anyone who is not in them.
  test("a secret or private room is left out of 319 for a non-member; a member sees it", async () => {
    const { a, b } = await secretRoom();
    await joined(a, "alice", "#priv");
    await joined(a, "alice", "#pub");
    a.send("MODE #priv +p");
    await a.expect(/ MODE #priv :?\+p$/);
    const bobSees = (await ask(b, "WHOIS alice")).filter((l) => / 319 /.test(l));
    expect(bobSees).toEqual([":chat.server 319 bob alice :@#pub"]);
    await joined(b, "bob", "#priv");
    const member = (await ask(b, "WHOIS alice")).filter((l) => / 319 /.test(l));
    expect(member).toEqual([":chat.server 319 bob alice :@#priv @#pub"]);
    const self = (await ask(a, "WHOIS alice")).filter((l) => / 319 /.test(l));
    expect(self).toEqual([":chat.server 319 alice alice :@#sec @#priv @#pub"]);
  });
});

describe("list modes of a secret room", () => {
  // RFC 2811 4.2.6: nothing of a secret room is to be had without being in it
  // (only MODE's own answer is kept); its ban, exception and invite lists name
  // the people it is about.
  test("a non-member gets only the end numerics; a member sees the entries", async () => {
    const { a, b } = await secretRoom();
    a.send("MODE #sec +beI evil!*@* good!*@* friend!*@*");
    await a.expect(/ MODE #sec \+beI /);
    expect(await ask(b, "MODE #sec +b")).toEqual([
      ":chat.server 368 bob #sec :End of channel ban list",
    ]);
    expect(await ask(b, "MODE #sec +e")).toEqual([
      ":chat.server 349 bob #sec :End of channel exception list",
    ]);
    expect(await ask(b, "MODE #sec +I")).toEqual([
      ":chat.server 347 bob #sec :End of channel invite list",
    ]);
    const member = await ask(a, "MODE #sec +b");
    expect(member[0]).toMatch(/^:chat\.server 367 alice #sec evil!\*@\* /);
  });
});
