/**
 * draft/channel-rename: RENAME by a room operator keeps the room (members,
 * status, topic, modes) under its new name. Members with the capability see
 * RENAME; others see themselves PART and JOIN, with the topic and NAMES.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { OperCredentials } from "../../../src/security/password.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { joinRoom, linesSince } from "../../helpers/wire.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const CAP = ["draft/channel-rename"];

/** The lines since `from` (see linesSince), user@host left out. */
async function since(c: TestClient, from: number): Promise<string[]> {
  return (await linesSince(c, from)).map((l) => l.replace(/!~\w+@127\.0\.0\.1/g, ""));
}

const inRoom = joinRoom;

/** alice (operator, with the cap), bob (with it) and carol (without) in #old, topic set. */
async function room(): Promise<{ a: TestClient; b: TestClient; c: TestClient }> {
  t = await startTestServer();
  const a = await t.client("alice", { caps: CAP });
  const b = await t.client("bob", { caps: CAP });
  const c = await t.client("carol");
  for (const x of [a, b, c]) await inRoom(x, "#old");
  a.send("TOPIC #old :the topic");
  for (const x of [a, b, c]) await x.expect(/ TOPIC #old :the topic$/);
  return { a, b, c };
}

describe("draft/channel-rename", () => {
  test("members with the cap see RENAME, others PART and JOIN with topic and NAMES", async () => {
    const { a, b, c } = await room();
    const fromA = a.lines.length;
    const fromB = b.lines.length;
    const fromC = c.lines.length;
    a.send("RENAME #old #new :tidy up");
    expect(await since(a, fromA)).toEqual([":alice RENAME #old #new :tidy up"]);
    expect(await since(b, fromB)).toEqual([":alice RENAME #old #new :tidy up"]);
    const lines = await since(c, fromC);
    expect(lines.map((l) => l.replace(/ :\d+$/, " :T"))).toEqual([
      ":carol PART #old :tidy up",
      ":carol JOIN #new",
      ":chat.server 332 carol #new :the topic",
      ":chat.server 333 carol #new alice :T",
      ":chat.server 353 carol = #new :@alice bob carol",
      ":chat.server 366 carol #new :End of /NAMES list",
    ]);
  });

  // message-ids as this server's rule (README): every channel event a
  // message-tags client is shown carries a msgid, each its own, and server-time its time.
  test("the fallback PART and JOIN carry a msgid and time for a message-tags client", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: CAP });
    const d = await t.client("dave", { caps: ["message-tags", "server-time"] });
    for (const x of [a, d]) await inRoom(x, "#old");
    a.send("RENAME #old #new");
    const part = await d.expect(/ PART #old /);
    const join = await d.expect(/ JOIN #new$/);
    const tags = /^@time=\d{4}-\d\d-\d\dT[\d:.]+Z;msgid=(\S+) :dave\S* PART #old /;
    expect(part).toMatch(tags);
    expect(join).toMatch(/^@time=\S+;msgid=(\S+) :dave\S* JOIN #new$/);
    expect(/msgid=([^; ]+)/.exec(part)?.[1]).not.toBe(/msgid=([^; ]+)/.exec(join)?.[1]);
  });

  test("the room lives on under the new name; the old name is gone", async () => {
    const { a, b, c } = await room();
    a.send("RENAME #old #new");
    await b.expect(/ RENAME #old #new :$/);
    await c.expect(/ JOIN #new$/);
    b.send("PRIVMSG #new :still here");
    await c.expect(/:bob!\S+ PRIVMSG #new :still here$/);
    await a.expect(/:bob!\S+ PRIVMSG #new :still here$/);
    // alice kept operator status: she may still change modes.
    a.send("MODE #new +m");
    await c.expect(/ MODE #new \+m$/);
    b.send("PRIVMSG #old :hello?");
    await b.expect(/ 403 bob #old /);
    c.send("JOIN #old");
    await c.expect(/ 366 carol #old /);
    expect((await since(c, c.lines.length)).length).toBe(0);
    expect((t as TestServer).store.loadRooms().map((r) => r.name)).toEqual(["#new"]);
  });

  test("history follows the room: the new name has it, a new room of the old name does not", async () => {
    const { a, b } = await room();
    b.send("PRIVMSG #old :said before");
    await a.expect(/ PRIVMSG #old :said before$/);
    a.send("RENAME #old #new");
    await b.expect(/ RENAME #old #new :$/);
    const h = await (t as TestServer).client("hist", {
      caps: ["batch", "draft/chathistory", "draft/event-playback"],
    });
    let from = h.lines.length;
    h.send("CHATHISTORY LATEST #new * 10");
    await h.expect(/ BATCH -/);
    const lines = (await since(h, from)).slice(1, -1).map((l) => l.replace(/^@\S+ /, ""));
    expect(lines).toContain(":bob PRIVMSG #new :said before");
    expect(lines).toContain(":alice TOPIC #old :the topic");
    // Someone makes a fresh #old: none of the renamed room's past is in it.
    const d = await (t as TestServer).client("dave");
    from = d.lines.length;
    d.send("JOIN #old");
    await d.expect(/ 366 dave #old /);
    expect((await since(d, from)).filter((l) => l.includes("said before"))).toEqual([]);
    from = h.lines.length;
    h.send("CHATHISTORY LATEST #old * 10");
    await h.expect(/ BATCH -/);
    const fresh = (await since(h, from)).map((l) => l.replace(/^@\S+ /, "").split(" ")[1]);
    expect(fresh).toEqual(["BATCH", "JOIN", "BATCH"]);
  });

  test("a rename while a member's labeled OPER waits is shown at once, outside that reply", async () => {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const a = await t.client("alice", { caps: CAP });
    const c = await t.client("carol", { caps: ["labeled-response"] });
    await inRoom(a, "#old");
    await inRoom(c, "#old");
    const from = c.lines.length;
    // The password check runs off the event loop; the RENAME lands meanwhile.
    c.send("@label=o1 OPER root pw");
    a.send("RENAME #old #new");
    await c.expect(/ 381 carol /);
    expect(await since(c, from)).toEqual([
      ":carol PART #old :Channel renamed to #new",
      ":carol JOIN #new",
      ":chat.server 353 carol = #new :@alice carol",
      ":chat.server 366 carol #new :End of /NAMES list",
      "@label=o1 :chat.server 381 carol :You are now an IRC operator",
      ":carol MODE carol :+o",
    ]);
  });

  test("a change of case is allowed and shown only to clients with the cap", async () => {
    const { a, b, c } = await room();
    const fromC = c.lines.length;
    a.send("RENAME #old #OLD");
    await b.expect(/ RENAME #old #OLD :$/);
    expect(await since(c, fromC)).toEqual([]);
    c.send("NAMES #old");
    await c.expect(/ 353 carol = #OLD /);
  });

  test("bad RENAMEs are refused as the spec says and change nothing", async () => {
    const { a, b } = await room();
    await inRoom(a, "#taken");
    const d = await (t as TestServer).client("dave");
    const cases: [TestClient, string, string][] = [
      [b, "RENAME #old #x", ":chat.server 482 bob #old :You're not channel operator"],
      [d, "RENAME #old #x", ":chat.server 442 dave #old :You're not on that channel"],
      [a, "RENAME #nope #x", ":chat.server 403 alice #nope :No such channel"],
      [a, "RENAME #old", ":chat.server 461 alice RENAME :Not enough parameters"],
      [
        a,
        "RENAME #old #TAKEN",
        ":chat.server FAIL RENAME CHANNEL_NAME_IN_USE #old #TAKEN :The channel name is already taken",
      ],
      [
        a,
        "RENAME #old nohash",
        ":chat.server FAIL RENAME CANNOT_RENAME #old nohash :nohash is not a valid channel name",
      ],
    ];
    for (const [who, line, want] of cases) {
      const from = who.lines.length;
      who.send(line);
      expect(await since(who, from)).toEqual([want]);
    }
    b.send("NAMES #old");
    await b.expect(/ 353 bob = #old :@alice bob carol$/);
  });
});
