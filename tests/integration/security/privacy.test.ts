/**
 * Private history belongs to the person, not to whoever holds the nick next:
 * without accounts, someone who takes "alice" after alice left must not read
 * alice's private conversations through CHATHISTORY.
 */
import { afterEach, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const CAPS = ["batch", "server-time", "message-tags", "draft/chathistory"];
let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** The PRIVMSG texts in the reply to a CHATHISTORY command. */
async function history(c: TestClient, command: string): Promise<string[]> {
  c.send(command);
  const open = await c.expect(/ BATCH \+\S+ /);
  const id = /BATCH \+(\S+)/.exec(open)?.[1] ?? "";
  const texts: string[] = [];
  for (let i = 0; i < 100; i++) {
    const line = await c.expect(/./);
    if (line.includes(` BATCH -${id}`)) return texts;
    const m = / PRIVMSG \S+ :(.*)$/.exec(line);
    if (m?.[1] !== undefined) texts.push(m[1]);
  }
  throw new Error("batch did not end");
}

test("a newcomer who takes a departed user's nick cannot read that user's private history", async () => {
  t = await startTestServer();
  const alice = await t.client("alice", { caps: CAPS });
  const bob = await t.client("bob", { caps: CAPS });
  alice.send("PRIVMSG bob :my door code is 4711");
  await bob.expect(/PRIVMSG bob :my door code is 4711$/);
  bob.send("PRIVMSG alice :noted");
  await alice.expect(/PRIVMSG alice :noted$/);
  // Both participants can read it while they hold their nicks.
  expect(await history(alice, "CHATHISTORY LATEST bob * 10")).toEqual([
    "my door code is 4711",
    "noted",
  ]);

  alice.send("QUIT :bye");
  await alice.waitClosed();
  const mallory = await t.client("alice", { caps: CAPS });
  expect(await history(mallory, "CHATHISTORY LATEST bob * 10")).toEqual([]);
  mallory.send(
    "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10",
  );
  await mallory.expect(/ BATCH -/);
  expect(mallory.lines.some((l) => / CHATHISTORY TARGETS bob /.test(l))).toBe(false);

  // Bob, who was in the conversation all along, still has it; and what is said
  // to the new "alice" from now on is hers to read.
  expect(await history(bob, "CHATHISTORY LATEST alice * 10")).toEqual([
    "my door code is 4711",
    "noted",
  ]);
  bob.send("PRIVMSG alice :who are you?");
  await mallory.expect(/PRIVMSG alice :who are you\?$/);
  expect(await history(mallory, "CHATHISTORY LATEST bob * 10")).toEqual(["who are you?"]);
});

test("changing to another user's old nick does not open their private history either", async () => {
  t = await startTestServer();
  const alice = await t.client("alice", { caps: CAPS });
  const bob = await t.client("bob", { caps: CAPS });
  alice.send("PRIVMSG bob :private to bob");
  await bob.expect(/:private to bob$/);
  alice.send("NICK alice2");
  await alice.expect(/NICK :?alice2$/);
  const eve = await t.client("eve", { caps: CAPS });
  eve.send("NICK alice");
  await eve.expect(/NICK :?alice$/);
  expect(await history(eve, "CHATHISTORY LATEST bob * 10")).toEqual([]);
});
