/**
 * IRCv3 message-ids as one rule: every event a message-tags client is shown
 * (PRIVMSG, NOTICE, TAGMSG, JOIN, PART, QUIT, NICK, KICK, TOPIC, MODE) carries
 * a msgid, each a different one; a client without message-tags gets no tags.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const MSGID = /^@msgid=([^; ]+)[; ]/;

describe("message-ids", () => {
  test("every kind of event carries its own msgid for a message-tags client", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["message-tags"] });
    const b = await t.client("bob", { caps: ["message-tags"] });
    const c = await t.client("carol");
    a.send("JOIN #m");
    const ownJoin = await a.expect(/ JOIN #m$/);
    b.send("JOIN #m");
    c.send("JOIN #m");
    await a.expect(/:bob!\S+ JOIN #m$/);
    await a.expect(/:carol!\S+ JOIN #m$/);
    // One at a time: each line is awaited before the next command.
    const step = async (who: typeof a, line: string, seen: RegExp): Promise<string> => {
      who.send(line);
      return a.expect(seen);
    };
    const lines = [
      ownJoin,
      await step(b, "PRIVMSG #m :hi", / PRIVMSG #m :hi$/),
      await step(b, "NOTICE #m :note", / NOTICE #m :note$/),
      await step(b, "@+typing=active TAGMSG #m", / TAGMSG #m$/),
      await step(a, "TOPIC #m :the topic", / TOPIC #m :the topic$/),
      await step(a, "MODE #m +v bob", / MODE #m \+v :?bob$/),
      await step(b, "NICK bobby", / NICK :?bobby$/),
      await step(a, "KICK #m carol :bye", / KICK #m carol :bye$/),
      await step(b, "PART #m :later", / PART #m :later$/),
    ];
    const d = await t.client("dave");
    d.send("JOIN #m");
    await a.expect(/:dave!\S+ JOIN #m$/);
    d.send("QUIT :gone");
    lines.push(await a.expect(/:dave!\S+ QUIT :Quit: gone$/));
    const ids = lines.map((l) => {
      const m = MSGID.exec(l);
      expect(m, l).not.toBeNull();
      return m?.[1];
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("a client without message-tags sees the same events without tags", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #m");
    await a.expect(/^:alice!\S+ JOIN #m$/);
    b.send("JOIN #m");
    await a.expect(/^:bob!\S+ JOIN #m$/);
    a.send("TOPIC #m :x");
    await b.expect(/^:alice!\S+ TOPIC #m :x$/);
    b.send("PART #m");
    await a.expect(/^:bob!\S+ PART #m$/);
  });

  test("the msgid a room's members see for one event is the same for all of them", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["message-tags", "server-time"] });
    const b = await t.client("bob", { caps: ["message-tags"] });
    a.send("JOIN #m");
    await a.expect(/ JOIN #m$/);
    b.send("JOIN #m");
    const own = await b.expect(/ JOIN #m$/);
    const seen = await a.expect(/:bob!\S+ JOIN #m$/);
    const id = MSGID.exec(own)?.[1];
    expect(id).toBeDefined();
    expect(seen).toMatch(new RegExp(`^@time=[^; ]+;msgid=${id} :bob!`));
  });
});
