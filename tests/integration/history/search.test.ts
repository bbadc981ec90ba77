/**
 * SEARCH (soju.im/search syntax) at the wire level, over a real SQLite file
 * and its FTS5 index: exact reply lines, the filters, the same visibility as
 * CHATHISTORY (an invite-only room one is not in, other people's private
 * talk), and FAIL SEARCH for bad input with the connection kept.
 */
import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-search-"));
let n = 0;
let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CAPS = ["batch", "server-time", "message-tags", "soju.im/search"];

async function serve(): Promise<TestServer> {
  const store = new SqliteStore({ path: join(dir, `s${++n}.db`), history: 1000 });
  return startTestServer({ store, limits: { floodLimit: false } });
}

async function joined(nick: string, rooms: string[]): Promise<TestClient> {
  const c = await (t as TestServer).client(nick, { caps: CAPS });
  for (const r of rooms) {
    c.send(`JOIN ${r}`);
    await c.expect(new RegExp(` 366 ${nick} ${r} `));
  }
  return c;
}

/** Send a SEARCH and collect the batch: its PRIVMSG lines (tags removed) and the raw lines. */
async function searchFor(
  c: TestClient,
  attrs: string,
): Promise<{ texts: string[]; raw: string[] }> {
  c.send(`SEARCH ${attrs}`);
  const open = await c.expect(/BATCH \+\S+ soju\.im\/search|FAIL/);
  if (open.includes("FAIL")) throw new Error(open);
  const raw = [open];
  for (;;) {
    const l = await c.expect(/./);
    raw.push(l);
    if (/ BATCH -/.test(l)) break;
  }
  const texts = raw
    .filter((l) => l.includes(" PRIVMSG "))
    .map((l) => l.slice(l.indexOf(" :", l.indexOf(" PRIVMSG ")) + 2));
  return { texts, raw };
}

test("advertised in CAP LS", async () => {
  t = await serve();
  const c = await t.client("alice");
  c.send("CAP LS 302");
  expect(await c.expect(/ CAP \S+ LS /)).toContain("soju.im/search");
});

test("exact reply: a soju.im/search batch of the stored lines with msgid and time, oldest first", async () => {
  t = await serve();
  const alice = await joined("alice", ["#dev"]);
  const bob = await joined("bob", ["#dev"]);
  bob.send("PRIVMSG #dev :the deploy failed again");
  bob.send("PRIVMSG #dev :lunch?");
  alice.send("PRIVMSG #dev :Deploy fixed");
  await bob.expect(/PRIVMSG #dev :Deploy fixed/);

  const r = await searchFor(alice, "in=#dev;text=deploy");
  const ref = /BATCH \+(\S+)/.exec(r.raw[0] ?? "")?.[1] ?? "";
  expect(r.raw[0]).toBe(`:chat.server BATCH +${ref} soju.im/search`);
  expect(r.raw[1]).toMatch(
    new RegExp(
      `^@batch=${ref};time=\\S+Z;msgid=\\S+ :bob!~bob@127\\.0\\.0\\.1 PRIVMSG #dev :the deploy failed again$`,
    ),
  );
  expect(r.raw[2]).toMatch(/;msgid=\S+ :alice!~alice@127\.0\.0\.1 PRIVMSG #dev :Deploy fixed$/);
  expect(r.raw[3]).toBe(`:chat.server BATCH -${ref}`);

  // Filters: from, limit (the newest), and every word must match.
  expect((await searchFor(alice, "text=deploy;from=BOB")).texts).toEqual([
    "the deploy failed again",
  ]);
  expect((await searchFor(alice, "text=deploy;limit=1")).texts).toEqual(["Deploy fixed"]);
  expect((await searchFor(alice, ":text=deploy again")).texts).toEqual(["the deploy failed again"]);
  expect((await searchFor(alice, "text=nothing\\sthere")).texts).toEqual([]);
  const future = "2999-01-01T00:00:00.000Z";
  expect((await searchFor(alice, `text=deploy;after=${future}`)).texts).toEqual([]);
  expect((await searchFor(alice, `text=deploy;before=${future}`)).texts.length).toBe(2);
});

test("the same visibility as CHATHISTORY", async () => {
  t = await serve();
  const alice = await joined("alice", ["#secret", "#open"]);
  alice.send("MODE #secret +i");
  await alice.expect(/MODE #secret \+i/);
  alice.send("PRIVMSG #secret :hidden plan");
  alice.send("PRIVMSG #open :open plan");
  const bob = await joined("bob", []);
  alice.send("PRIVMSG bob :private plan");
  await bob.expect(/PRIVMSG bob :private plan/);
  const carol = await joined("carol", ["#open"]);

  // Without `in`: the rooms one is in and one's own private talk.
  expect((await searchFor(alice, "text=plan")).texts.sort()).toEqual([
    "hidden plan",
    "open plan",
    "private plan",
  ]);
  expect((await searchFor(bob, "text=plan")).texts).toEqual(["private plan"]);
  expect((await searchFor(carol, "text=plan")).texts).toEqual(["open plan"]);
  // An open room one is not in can be searched, as CHATHISTORY reads it; an invite-only one cannot.
  expect((await searchFor(bob, "text=plan;in=#open")).texts).toEqual(["open plan"]);
  carol.send("SEARCH text=plan;in=#secret");
  expect(await carol.expect(/FAIL/)).toMatch(
    /FAIL SEARCH INVALID_PARAMS in :Messages could not be searched$/,
  );
  // Someone else's private conversation is not theirs to search.
  expect((await searchFor(carol, "text=plan;in=bob")).texts).toEqual([]);
});

test.each([
  ["", /FAIL SEARCH NEED_MORE_PARAMS :Missing search attributes$/],
  ["in=#dev", /FAIL SEARCH INVALID_PARAMS text :Nothing to search for$/],
  ["text=x;colour=red", /FAIL SEARCH INVALID_PARAMS colour :Unknown search attribute$/],
  ["text=x;after=yesterday", /FAIL SEARCH INVALID_PARAMS after :Invalid timestamp$/],
  ["text=x;limit=0", /FAIL SEARCH INVALID_PARAMS limit :Invalid limit$/],
  ["text=x;limit=many", /FAIL SEARCH INVALID_PARAMS limit :Invalid limit$/],
  ["text=x;in=", /FAIL SEARCH INVALID_PARAMS in :Invalid target$/],
])("bad input %p: FAIL SEARCH, and the connection stays", async (attrs, fail) => {
  t = await serve();
  const c = await joined("alice", ["#dev"]);
  c.send(attrs === "" ? "SEARCH" : `SEARCH ${attrs}`);
  expect(await c.expect(/FAIL/)).toMatch(fail);
  c.send("PING still");
  await c.expect(/PONG .*still/);
});
