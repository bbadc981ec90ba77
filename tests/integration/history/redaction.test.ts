/**
 * draft/message-redaction: REDACT withdraws a stored message. Authors may
 * redact their own, room and server operators any in a room; clients with the
 * capability see the REDACT line, and history forgets the message.
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

const CAPS = ["draft/message-redaction", "echo-message", "message-tags"];
const HISTORY = ["batch", "message-tags", "draft/chathistory"];

const since = linesSince;

/** Send `text` to `target` and return its msgid from the echo. */
async function say(c: TestClient, target: string, text: string): Promise<string> {
  c.send(`PRIVMSG ${target} :${text}`);
  const echo = await c.expect(new RegExp(` PRIVMSG ${target} :${text}$`));
  return /msgid=([^; ]+)/.exec(echo)?.[1] as string;
}

const inRoom = joinRoom;

/** The texts CHATHISTORY LATEST answers `c` for `target`. */
async function texts(c: TestClient, target: string): Promise<string[]> {
  const from = c.lines.length;
  c.send(`CHATHISTORY LATEST ${target} * 50`);
  await c.expect(/ BATCH -/);
  return c.lines
    .slice(from)
    .filter((l) => l.includes(" PRIVMSG "))
    .map((l) => l.slice(l.lastIndexOf(" :") + 2));
}

describe("draft/message-redaction", () => {
  test("the author's REDACT reaches clients with the cap, and history forgets the message", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: CAPS });
    const b = await t.client("bob", { caps: ["draft/message-redaction"] });
    const c = await t.client("carol");
    for (const x of [a, b, c]) await inRoom(x, "#r");
    const keep = await say(a, "#r", "keep");
    const id = await say(a, "#r", "oops");
    await c.expect(/ PRIVMSG #r :oops$/);
    const fromC = c.lines.length;
    a.send(`REDACT #r ${id} :typo`);
    const line = `:alice!~alice@127.0.0.1 REDACT #r ${id} :typo`;
    expect((await a.expect(/ REDACT /)).replace(/^@\S+ /, "")).toBe(line);
    expect(await b.expect(/ REDACT /)).toBe(line);
    expect(await since(c, fromC)).toEqual([]);
    const d = await t.client("dave", { caps: HISTORY });
    expect(await texts(d, "#r")).toEqual(["keep"]);
    expect(keep).not.toBe(id);
  });

  test("someone else's message is REDACT_FORBIDDEN for a member; a room operator may", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: CAPS });
    const b = await t.client("bob", { caps: CAPS });
    await inRoom(a, "#r"); // alice created #r: she is its operator
    await inRoom(b, "#r");
    const mine = await say(a, "#r", "from alice");
    const theirs = await say(b, "#r", "from bob");
    const from = b.lines.length;
    b.send(`REDACT #r ${mine}`);
    expect(await since(b, from)).toEqual([
      `:chat.server FAIL REDACT REDACT_FORBIDDEN #r ${mine} :You may redact only your own messages`,
    ]);
    a.send(`REDACT #r ${theirs}`);
    expect(await b.expect(/ REDACT /)).toMatch(new RegExp(`:alice!\\S+ REDACT #r ${theirs}$`));
    const d = await t.client("dave", { caps: HISTORY });
    expect(await texts(d, "#r")).toEqual(["from alice"]);
  });

  test("a server operator may redact any message of a room it is in", async () => {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const a = await t.client("alice", { caps: CAPS });
    const o = await t.client("oscar", { caps: CAPS });
    await inRoom(a, "#r");
    await inRoom(o, "#r");
    const id = await say(a, "#r", "spam");
    o.send("OPER root pw");
    await o.expect(/ 381 /);
    o.send(`REDACT #r ${id} :spam`);
    await a.expect(new RegExp(`:oscar!\\S+ REDACT #r ${id} :spam$`));
  });

  test("bad REDACTs get the spec's FAIL codes, change nothing, and the connection stays", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: CAPS });
    await inRoom(a, "#r");
    const id = await say(a, "#r", "still here");
    const cases: [string, string][] = [
      [
        "REDACT #r nosuch",
        ":chat.server FAIL REDACT UNKNOWN_MSGID #r nosuch :This message does not exist or is too old",
      ],
      [
        "REDACT #elsewhere x",
        ":chat.server FAIL REDACT INVALID_TARGET #elsewhere :You cannot redact messages in #elsewhere",
      ],
      [
        `REDACT bad,nick ${id}`,
        ":chat.server FAIL REDACT INVALID_TARGET bad,nick :You cannot redact messages in bad,nick",
      ],
      // A msgid of another conversation is not one of this one's.
      [
        `REDACT bob ${id}`,
        `:chat.server FAIL REDACT UNKNOWN_MSGID bob ${id} :This message does not exist or is too old`,
      ],
      ["REDACT #r", ":chat.server 461 alice REDACT :Not enough parameters"],
    ];
    for (const [line, want] of cases) {
      const from = a.lines.length;
      a.send(line);
      expect(await since(a, from)).toEqual([want]);
    }
    // Not a member of a room that exists: INVALID_TARGET too.
    const b = await t.client("bob", { caps: CAPS });
    const from = b.lines.length;
    b.send(`REDACT #r ${id}`);
    expect(await since(b, from)).toEqual([
      ":chat.server FAIL REDACT INVALID_TARGET #r :You cannot redact messages in #r",
    ]);
    const d = await t.client("dave", { caps: HISTORY });
    expect(await texts(d, "#r")).toEqual(["still here"]);
  });

  test("in a private chat the author redacts; the other side may not", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: [...CAPS, ...HISTORY] });
    const b = await t.client("bob", { caps: [...CAPS, ...HISTORY] });
    const id = await say(a, "bob", "psst");
    const other = await say(b, "alice", "hi");
    const from = b.lines.length;
    b.send(`REDACT alice ${id}`);
    expect(await since(b, from)).toEqual([
      `:chat.server FAIL REDACT REDACT_FORBIDDEN alice ${id} :You may redact only your own messages`,
    ]);
    a.send(`REDACT bob ${id}`);
    await b.expect(new RegExp(`:alice!\\S+ REDACT bob ${id}$`));
    await a.expect(new RegExp(`:alice!\\S+ REDACT bob ${id}$`));
    expect(await texts(b, "alice")).toEqual(["hi"]);
    expect(other).not.toBe(id);
  });

  test("whoever takes a nick later cannot redact what was said under it", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: CAPS });
    await inRoom(a, "#r");
    const b = await t.client("bob", { caps: CAPS });
    await inRoom(b, "#r");
    const id = await say(a, "#r", "mine");
    a.send("NICK alice2");
    await a.expect(/ NICK :?alice2$/);
    const imposter = await t.client("alice", { caps: CAPS });
    await inRoom(imposter, "#r");
    const from = imposter.lines.length;
    imposter.send(`REDACT #r ${id}`);
    expect(await since(imposter, from)).toEqual([
      `:chat.server FAIL REDACT REDACT_FORBIDDEN #r ${id} :You may redact only your own messages`,
    ]);
  });
});
