/**
 * A multi-line paste under a real PTY: one draft/multiline message against
 * the compiled server (received as one BATCH, shown as one message), and
 * against a server without the cap, one message a line after asking.
 */
import { expect, test } from "bun:test";
import { ScriptedIrc } from "../../helpers/scripted-irc.ts";
import { spawnPty } from "./harness.ts";
import { clientSession } from "./session.ts";

const session = clientSession();

const paste = (text: string): string => `\x1b[200~${text}\x1b[201~`;

test("a pasted block goes as one draft/multiline message and shows as one", async () => {
  const bob = await session.peer("bob", ["#lobby"], ["batch", "draft/multiline", "message-tags"]);
  const alice = session.pty("alice");
  await session.prompt(alice, "#lobby");
  alice.type(paste("first line\nsecond line\nthird line\n"));

  expect(await bob.expect(/BATCH \+/)).toMatch(/:alice!\S+ BATCH \+\S+ draft\/multiline #lobby$/);
  expect(await bob.expect(/PRIVMSG/)).toMatch(/PRIVMSG #lobby :first line$/);
  expect(await bob.expect(/PRIVMSG/)).toMatch(/PRIVMSG #lobby :second line$/);
  expect(await bob.expect(/PRIVMSG/)).toMatch(/PRIVMSG #lobby :third line$/);
  await bob.expect(/BATCH -/);

  // On alice's screen: one message, its lines under each other.
  await alice.waitFor(/<alice> first line\n +second line\n +third line/);
});

test("without draft/multiline, a long paste asks first and then sends one line each", async () => {
  const fake = new ScriptedIrc((line, send) => {
    if (line.startsWith("CAP LS")) send(":srv CAP * LS :");
    else if (line.startsWith("USER")) send(":srv 001 alice :hi");
    else if (line.startsWith("JOIN")) {
      send(":alice!u@h JOIN #lobby");
      send(":srv 366 alice #lobby :End");
    }
  });
  try {
    const alice = spawnPty(["join", `127.0.0.1:${fake.port}`, "--nick", "alice"], session.env);
    try {
      await session.prompt(alice, "#lobby");
      alice.type(paste("a1\na2\na3\na4\na5"));
      await alice.waitFor("Send these 5 lines to #lobby as 5 separate messages?");
      expect(fake.lines.some((l) => l.startsWith("PRIVMSG"))).toBe(false);
      alice.type("yes\r");
      await fake.waitLine(/^PRIVMSG #lobby :?a5$/);
      expect(fake.lines.filter((l) => l.startsWith("PRIVMSG"))).toEqual(
        ["a1", "a2", "a3", "a4", "a5"].map((t) => `PRIVMSG #lobby ${t}`),
      );
    } finally {
      alice.kill();
    }
  } finally {
    fake.stop();
  }
});
