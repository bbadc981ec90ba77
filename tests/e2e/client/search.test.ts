/**
 * Issue 17 point 3 end to end, under a real PTY against the compiled server:
 * /search and /jump, /mentions, the bell and desktop notification (OSC 9 and
 * 777) for mentions and private lines and --no-notify, and /ignore kept in
 * the config folder.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PtyClient } from "./harness.ts";
import { clientSession } from "./session.ts";

const session = clientSession();
const peer = (nick: string, room: string) => session.peer(nick, [room]);
const pty = (nick: string, room: string, extra: string[] = []): PtyClient =>
  session.pty(nick, ["--room", room, ...extra]);

const ready = (c: PtyClient, room: string): Promise<void> =>
  c.waitUntil((t) => t.cursorRow().startsWith(`[${room}]`), `the ${room} prompt`);

test("/search finds an old line on the server and /jump shows it in its window", async () => {
  const bob = await peer("bob", "#s1");
  bob.send("PRIVMSG #s1 :the needle is in the haystack");
  for (let i = 1; i <= 60; i++) bob.send(`PRIVMSG #s1 :hay ${i}`);
  bob.send("PING done");
  await bob.expect(/PONG .*done/);

  const alice = pty("alice", "#s1");
  await ready(alice, "#s1");
  await alice.waitFor("hay 60");
  // Only the latest 50 were replayed: the needle is not on the screen.
  expect(alice.term.text()).not.toContain("needle");

  alice.type("/search needle\r");
  await alice.waitFor(/ {2}1\) .*<bob> the needle is in the haystack/);
  await alice.waitFor("1 found; /jump N shows one in its window");
  alice.type("/search nothing-like-this\r");
  await alice.waitFor("nothing found");

  alice.type("/search needle in s1\r");
  await alice.waitUntil(
    (t) => t.text().split("1 found;").length === 3,
    "the second search's results",
  );
  alice.type("/jump 1\r");
  await alice.waitUntil(
    (t) =>
      /~ <bob> the needle is in the haystack/.test(t.screenText()) &&
      /hay 1\b/.test(t.screenText()),
    "the needle with the lines around it, in #s1's window",
  );
}, 60_000);

test("/mentions lists lines that mention you; a mention rings and raises a notification", async () => {
  const bob = await peer("bob", "#s2");
  const alice = pty("alice", "#s2");
  await ready(alice, "#s2");
  await bob.expect(/JOIN #s2/);
  bob.send("PRIVMSG #s2 :alice: are you there?");
  bob.send("PRIVMSG #s2 :unrelated");
  await alice.waitFor("<bob> unrelated");
  expect(alice.term.bells).toBeGreaterThan(0);
  expect(alice.bytes()).toContain("\x1b]9;bob in #s2: alice: are you there?\x07");
  expect(alice.bytes()).toContain(
    "\x1b]777;notify;bob in #s2,alice: are you there?".replace(",", ";"),
  );

  alice.type("/mentions\r");
  await alice.waitFor(/ {2}1\) .*<bob> alice: are you there\?/);
  await alice.waitFor("1 recent mentions");

  // A private line notifies too.
  bob.send("PRIVMSG alice :psst");
  await alice.waitUntil(
    () => alice.bytes().includes("\x1b]9;bob: psst\x07"),
    "the DM notification",
  );
}, 60_000);

test("--no-notify: no bell and no notification sequence", async () => {
  const bob = await peer("bob", "#s3");
  const alice = pty("alice", "#s3", ["--no-notify"]);
  await ready(alice, "#s3");
  await bob.expect(/JOIN #s3/);
  bob.send("PRIVMSG #s3 :alice: quiet please");
  bob.send("PRIVMSG alice :and a dm");
  await alice.waitFor("<bob> alice: quiet please");
  await alice.waitUntil((t) => t.rowText(t.y - 1).includes("bob(1!)"), "the DM window marked");
  expect(alice.term.bells).toBe(0);
  expect(alice.bytes()).not.toContain("\x1b]9;");
  expect(alice.bytes()).not.toContain("\x1b]777;");
}, 60_000);

test("/ignore hides a nick's lines and is kept in the config folder", async () => {
  const bob = await peer("bob", "#s4");
  const carol = await peer("carol", "#s4");
  const alice = pty("alice", "#s4");
  await ready(alice, "#s4");
  await bob.expect(/alice\S* JOIN #s4/);
  alice.type("/ignore bob\r");
  await alice.waitFor("ignoring bob (/unignore bob to undo)");
  expect(readFileSync(join(session.env.XDG_CONFIG_HOME as string, "chat", "ignore"), "utf8")).toBe(
    "bob\n",
  );
  bob.send("PRIVMSG #s4 :you cannot see me");
  carol.send("PRIVMSG #s4 :but you see me");
  await alice.waitFor("<carol> but you see me");
  expect(alice.term.text()).not.toContain("you cannot see me");
  alice.type("/unignore bob\r");
  await alice.waitFor("no longer ignoring bob");
  bob.send("PRIVMSG #s4 :back again");
  await alice.waitFor("<bob> back again");
  expect(readFileSync(join(session.env.XDG_CONFIG_HOME as string, "chat", "ignore"), "utf8")).toBe(
    "",
  );
}, 60_000);

test("search results stay in the window they were listed in after switching away and back", async () => {
  const bob = await peer("bob", "#s5");
  bob.send("PRIVMSG #s5 :a findable thing");
  bob.send("PING done");
  await bob.expect(/PONG .*done/);

  const alice = pty("alice", "#s5");
  await ready(alice, "#s5");
  alice.type("/join #s5b\r");
  await ready(alice, "#s5b");
  alice.type("\x1b1");
  await ready(alice, "#s5");
  alice.type("/search findable\r");
  await alice.waitFor(/ {2}1\) .*<bob> a findable thing/);
  alice.type("\x1b2");
  await ready(alice, "#s5b");
  await alice.waitUntil((t) => !/ 1\) /.test(t.screenText()), "#s5b drawn without the results");
  alice.type("\x1b1");
  await ready(alice, "#s5");
  await alice.waitUntil(
    (t) => / {2}1\) .*<bob> a findable thing/.test(t.screenText()),
    "the result row drawn again in #s5",
  );
}, 60_000);
