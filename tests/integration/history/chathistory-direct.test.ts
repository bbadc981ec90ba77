/**
 * CHATHISTORY with the target `*`: every private chat of the asker as one
 * conversation, in order, with msgid references from any of them, and only
 * from when the asker took its nick.
 */
import { afterEach, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const CAPS = ["batch", "message-tags", "echo-message", "draft/chathistory"];

/** The PRIVMSG lines (user@host left out) of the batch answering `command`. */
async function batch(c: TestClient, command: string): Promise<string[]> {
  const from = c.lines.length;
  c.send(command);
  await c.expect(/ BATCH -/);
  return c.lines
    .slice(from)
    .filter((l) => l.includes(" PRIVMSG "))
    .map((l) => l.replace(/^@\S+ /, "").replace(/!~\w+@127\.0\.0\.1/, ""));
}

async function say(c: TestClient, to: string, text: string): Promise<string> {
  c.send(`PRIVMSG ${to} :${text}`);
  const echo = await c.expect(new RegExp(` PRIVMSG ${to} :${text}$`));
  return /msgid=([^; ]+)/.exec(echo)?.[1] as string;
}

test("`*` reads every private chat of the asker, in order, paged by any msgid", async () => {
  t = await startTestServer();
  const a = await t.client("alice", { caps: CAPS });
  const b = await t.client("bob", { caps: CAPS });
  const c = await t.client("carol", { caps: CAPS });
  await say(b, "alice", "one");
  await say(c, "alice", "two");
  const three = await say(a, "bob", "three");
  await say(b, "carol", "not alice's");
  expect(await batch(a, "CHATHISTORY LATEST * * 10")).toEqual([
    ":bob PRIVMSG alice :one",
    ":carol PRIVMSG alice :two",
    ":alice PRIVMSG bob :three",
  ]);
  // "three" is in the chat with bob; the one before it is in the chat with carol.
  expect(await batch(a, `CHATHISTORY BEFORE * msgid=${three} 1`)).toEqual([
    ":carol PRIVMSG alice :two",
  ]);
  expect(await batch(a, `CHATHISTORY AFTER * msgid=${three} 10`)).toEqual([]);
});

test("whoever takes a nick later reads none of its private chats through `*`", async () => {
  t = await startTestServer();
  const a = await t.client("alice", { caps: CAPS });
  const b = await t.client("bob", { caps: CAPS });
  await say(b, "alice", "for alice only");
  await a.expect(/ PRIVMSG alice :for alice only$/);
  a.send("QUIT");
  await a.waitClosed();
  const next = await t.client("alice", { caps: CAPS });
  expect(await batch(next, "CHATHISTORY LATEST * * 10")).toEqual([]);
});
