/**
 * draft/event-playback: a room's JOIN, PART, KICK, TOPIC, MODE, QUIT and NICK
 * are kept (in SQLite here) and come back in CHATHISTORY batches, in order with
 * the messages and with the msgid they had live, to clients that asked for the
 * capability; others still get only PRIVMSG and NOTICE.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const HISTORY = ["batch", "message-tags", "server-time", "draft/chathistory"];
const PLAYBACK = [...HISTORY, "draft/event-playback"];

/** The lines of the chathistory batch answering `command`, as `msgid line` without the user@host. */
async function history(c: TestClient, command: string): Promise<string[]> {
  c.send(command);
  const open = await c.expect(/ BATCH \+\S+ chathistory /);
  const ref = / BATCH \+(\S+) /.exec(open)?.[1] as string;
  await c.expect(` BATCH -${ref}`);
  const from = c.lines.indexOf(open) + 1;
  const body = c.lines.slice(from, c.lines.indexOf(`:chat.server BATCH -${ref}`, from));
  return body.map((l) => {
    const msgid = /msgid=([^; ]+)/.exec(l)?.[1] ?? "?";
    return `${msgid} ${l.slice(l.indexOf(" ") + 1).replace(/!~\w+@127\.0\.0\.1/, "")}`;
  });
}

const bodies = (lines: string[]): string[] => lines.map((l) => l.slice(l.indexOf(" ") + 1));

/** A room that saw one of each event; returns the live lines alice saw, by text. */
async function busyRoom(): Promise<{ a: TestClient; live: string[] }> {
  t = await startTestServer({
    store: new SqliteStore({ path: ":memory:", history: 100 }),
    limits: { floodLimit: false },
  });
  const a = await t.client("alice", { caps: ["message-tags"] });
  const b = await t.client("bob");
  const c = await t.client("carol");
  const d = await t.client("dave");
  const step = async (who: TestClient, line: string, seen: RegExp): Promise<string> => {
    who.send(line);
    return a.expect(seen);
  };
  const live = [
    await step(a, "JOIN #r", /:alice!\S+ JOIN #r$/),
    await step(b, "JOIN #r", /:bob!\S+ JOIN #r$/),
    await step(c, "JOIN #r", /:carol!\S+ JOIN #r$/),
    await step(a, "TOPIC #r :news", / TOPIC #r :news$/),
    await step(b, "PRIVMSG #r :hello", / PRIVMSG #r :hello$/),
    await step(a, "MODE #r +v bob", / MODE #r \+v :?bob$/),
    await step(b, "NICK bobby", / NICK :?bobby$/),
    await step(a, "KICK #r carol :out", / KICK #r carol :out$/),
    await step(b, "PART #r :bye", / PART #r :bye$/),
    await step(d, "JOIN #r", /:dave!\S+ JOIN #r$/),
    await step(d, "QUIT :gone", /:dave!\S+ QUIT :Quit: gone$/),
  ];
  return { a, live };
}

describe("draft/event-playback", () => {
  test("a room's events come back in order, with the msgid each had live", async () => {
    const { live } = await busyRoom();
    const e = await (t as TestServer).client("erin", { caps: PLAYBACK });
    const got = await history(e, "CHATHISTORY LATEST #r * 50");
    expect(bodies(got)).toEqual([
      ":alice JOIN #r",
      ":bob JOIN #r",
      ":carol JOIN #r",
      ":alice TOPIC #r :news",
      ":bob PRIVMSG #r :hello",
      ":alice MODE #r +v bob",
      ":bob NICK bobby",
      ":alice KICK #r carol :out",
      ":bobby PART #r :bye",
      ":dave JOIN #r",
      ":dave QUIT :Quit: gone",
    ]);
    const liveIds = live.map((l) => /msgid=([^; ]+)/.exec(l)?.[1]);
    expect(got.map((l) => l.split(" ")[0])).toEqual(liveIds);
  });

  test("without the capability a batch holds only PRIVMSG and NOTICE", async () => {
    await busyRoom();
    const e = await (t as TestServer).client("erin", { caps: HISTORY });
    expect(bodies(await history(e, "CHATHISTORY LATEST #r * 50"))).toEqual([
      ":bob PRIVMSG #r :hello",
    ]);
  });

  test("without the capability, an event's msgid still marks a place among the messages", async () => {
    const { live } = await busyRoom();
    const id = (i: number): string => /msgid=([^; ]+)/.exec(live[i] as string)?.[1] as string;
    const e = await (t as TestServer).client("erin", { caps: HISTORY });
    // live[3] is the TOPIC before the one PRIVMSG, live[6] the NICK after it.
    expect(bodies(await history(e, `CHATHISTORY AFTER #r msgid=${id(3)} 10`))).toEqual([
      ":bob PRIVMSG #r :hello",
    ]);
    expect(bodies(await history(e, `CHATHISTORY BEFORE #r msgid=${id(6)} 10`))).toEqual([
      ":bob PRIVMSG #r :hello",
    ]);
    expect(await history(e, `CHATHISTORY AFTER #r msgid=${id(6)} 10`)).toEqual([]);
  });

  test("BEFORE, AFTER, AROUND and BETWEEN take msgids of events and of messages", async () => {
    const { live } = await busyRoom();
    const id = (i: number): string => /msgid=([^; ]+)/.exec(live[i] as string)?.[1] as string;
    const e = await (t as TestServer).client("erin", { caps: PLAYBACK });
    // live[4] is the PRIVMSG, live[3] the TOPIC, live[6] the NICK.
    expect(bodies(await history(e, `CHATHISTORY BEFORE #r msgid=${id(4)} 2`))).toEqual([
      ":carol JOIN #r",
      ":alice TOPIC #r :news",
    ]);
    expect(bodies(await history(e, `CHATHISTORY AFTER #r msgid=${id(3)} 2`))).toEqual([
      ":bob PRIVMSG #r :hello",
      ":alice MODE #r +v bob",
    ]);
    expect(bodies(await history(e, `CHATHISTORY AROUND #r msgid=${id(4)} 3`))).toEqual([
      ":alice TOPIC #r :news",
      ":bob PRIVMSG #r :hello",
      ":alice MODE #r +v bob",
    ]);
    expect(
      bodies(await history(e, `CHATHISTORY BETWEEN #r msgid=${id(3)} msgid=${id(6)} 10`)),
    ).toEqual([":bob PRIVMSG #r :hello", ":alice MODE #r +v bob"]);
    // Backwards: the ones nearest the first reference.
    expect(
      bodies(await history(e, `CHATHISTORY BETWEEN #r msgid=${id(7)} msgid=${id(2)} 2`)),
    ).toEqual([":alice MODE #r +v bob", ":bob NICK bobby"]);
    expect(bodies(await history(e, `CHATHISTORY LATEST #r msgid=${id(8)} 10`))).toEqual([
      ":dave JOIN #r",
      ":dave QUIT :Quit: gone",
    ]);
    expect(await history(e, "CHATHISTORY BEFORE #r msgid=nosuch 10")).toEqual([]);
  });

  test("events do not push messages out of retention, and join replay stays messages only", async () => {
    t = await startTestServer({ store: new SqliteStore({ path: ":memory:", history: 3 }) });
    const a = await t.client("alice");
    a.send("JOIN #r");
    await a.expect(/ 366 alice #r /);
    for (const text of ["one", "two", "three"]) a.send(`PRIVMSG #r :${text}`);
    for (let i = 0; i < 5; i++) {
      const x = await t.client(`u${i}`);
      x.send("JOIN #r");
      await a.expect(new RegExp(`:u${i}!\\S+ JOIN #r$`));
    }
    const late = await t.client("late");
    late.send("JOIN #r");
    await late.expect(/End of replay/);
    const replayed = late.lines.filter((l) => l.includes(" PRIVMSG #r "));
    expect(replayed.map((l) => l.slice(l.lastIndexOf(":") + 1))).toEqual(["one", "two", "three"]);
  });
});
