/**
 * Issue 17 point 2 end to end: windows under a real PTY against the compiled
 * server. Rooms and private conversations get windows, the status line counts
 * unread lines and marks mentions, Alt-N / Ctrl-N / Ctrl-P / /switch move
 * between them, /part closes one, and PageUp past the top fetches older history.
 */
import { describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import type { Term } from "./harness.ts";
import { clientSession } from "./session.ts";

const session = clientSession();
const { pty, peer, prompt } = session;

/** The status line is the row just above the prompt. */
const status = (t: Term): string => t.rowText(t.y - 1);

describe("windows", () => {
  test("unread counts and mention marks on the status line; Alt-N, Ctrl-N/P and /switch move", async () => {
    const alice = pty("alice");
    await prompt(alice, "#lobby");
    alice.type("/join #dev\r");
    await prompt(alice, "#dev");
    await alice.waitUntil((t) => status(t) === "1:#lobby [2:#dev]", "two windows");

    const bob = await peer("bob", ["#lobby", "#dev"]);
    bob.send("PRIVMSG #lobby :one in the lobby");
    bob.send("PRIVMSG #lobby :two in the lobby");
    await alice.waitUntil((t) => status(t) === "1:#lobby(2) [2:#dev]", "2 unread in #lobby");
    // Lines for another window are not drawn in this one.
    expect(alice.term.screenText()).not.toContain("one in the lobby");
    bob.send("PRIVMSG #lobby :alice, look");
    await alice.waitUntil((t) => status(t) === "1:#lobby(3!) [2:#dev]", "the mention mark");
    bob.send("PRIVMSG #dev :here too");
    await alice.waitFor("<bob> here too");

    alice.type("\x1b1");
    await prompt(alice, "#lobby");
    await alice.waitUntil(
      (t) =>
        status(t) === "[1:#lobby] 2:#dev" &&
        /<bob> one in the lobby[\s\S]*<bob> two in the lobby[\s\S]*<bob> alice, look/.test(
          t.screenText(),
        ),
      "the #lobby window with its lines, read",
    );
    expect(alice.term.screenText()).not.toContain("here too");

    alice.type("\x0e");
    await prompt(alice, "#dev");
    await alice.waitUntil((t) => t.screenText().includes("<bob> here too"), "#dev's lines");
    alice.type("\x10");
    await prompt(alice, "#lobby");
    alice.type("\x1b[1;3C");
    await prompt(alice, "#dev");
    alice.type("/switch 1\r");
    await prompt(alice, "#lobby");

    // A private line opens a window, marked; /query opens one too; /part closes them.
    bob.send("PRIVMSG alice :psst");
    await alice.waitUntil((t) => status(t) === "[1:#lobby] 2:#dev 3:bob(1!)", "bob's window");
    alice.type("/query carol\r");
    await prompt(alice, "carol");
    await alice.waitUntil((t) => status(t) === "1:#lobby 2:#dev 3:bob(1!) [4:carol]", "carol's");
    alice.type("/part\r");
    await alice.waitUntil((t) => status(t) === "1:#lobby 2:#dev [3:bob]", "carol's closed");
    await alice.waitUntil((t) => t.screenText().includes("<bob> psst"), "bob's window shown");
    alice.type("/switch #dev\r");
    await prompt(alice, "#dev");
    alice.type("/part\r");
    await bob.expect(/:alice!\S+ PART #dev/);
    await alice.waitUntil((t) => /^\[?1:#lobby\]? \[?2:bob\]?$/.test(status(t)), "#dev closed");
  }, 60_000);

  test("what is read is told to the server (draft/read-marker) and kept for the next session", async () => {
    // A nick of its own (alice was claimed by an earlier test with another secret), and
    // its secret, so the next session (another device) can prove the nick.
    const alice = pty("dora", ["--secret", "windows-test-secret"]);
    await prompt(alice, "#lobby");
    alice.type("/join #dev\r");
    await prompt(alice, "#dev");
    const bob = await peer("bob", ["#dev"]);
    bob.send("PRIVMSG #dev :read this");
    await alice.waitFor("<bob> read this");
    // Leaving the window marks it read up to its newest line.
    alice.type("\x1b1");
    await prompt(alice, "#lobby");
    // What comes after is new: coming back, a row marks where it starts.
    bob.send("PRIVMSG #dev :after reading");
    await alice.waitUntil((t) => t.rowText(t.y - 1).includes("2:#dev(1)"), "one unread in #dev");
    alice.type("\x1b2");
    await alice.waitUntil(
      (t) =>
        /<bob> read this\n-- new since you last read --\n.*<bob> after reading/.test(
          t.screenText(),
        ),
      "the divider between what was read and what is new",
    );
    alice.type("\x1b1");
    await prompt(alice, "#lobby");
    alice.type("/quit\r");
    expect(await alice.exited()).toBe(0);

    const next = await TestClient.connect(session.server().port);
    next.send("CAP LS 302");
    next.send("CAP REQ :draft/read-marker sasl");
    next.send("NICK dora");
    next.send("USER dora 0 * :dora");
    await next.expect(/ CAP \S+ ACK /);
    next.send("AUTHENTICATE PLAIN");
    await next.expect(/^AUTHENTICATE \+$/);
    next.send(`AUTHENTICATE ${btoa("dora\0dora\0windows-test-secret")}`);
    await next.expect(/ 903 /);
    next.send("CAP END");
    await next.expect(/ (376|422) /);
    next.send("JOIN #dev");
    const marker = await next.expect(/MARKREAD #dev/);
    const when = Date.parse(marker.split("timestamp=")[1] ?? "");
    expect(when).toBeGreaterThan(Date.now() - 60_000);
    next.close();
  }, 60_000);

  test("PageUp scrolls the window back, and past the top fetches older history", async () => {
    const bob = await peer("bob", ["#history"]);
    for (let i = 1; i <= 90; i++)
      bob.send(`PRIVMSG #history :old line ${String(i).padStart(2, "0")}`);
    bob.send("PING done");
    await bob.expect(/PONG .*done/);

    const alice = pty("alice", ["--room", "#history"]);
    await prompt(alice, "#history");
    // Joining shows the latest 50: 41..90.
    await alice.waitFor("old line 90");
    expect(alice.term.text()).not.toContain("old line 40");

    // 30 rows: 28 of view. Two pages back reach the top of what is kept; the next asks the server.
    alice.type("\x1b[5~");
    await alice.waitUntil((t) => status(t).includes("more below"), "scrolled back");
    alice.type("\x1b[5~");
    await alice.waitUntil(
      (t) => t.screenText().includes("old line 41"),
      "the top of the kept lines",
    );
    await alice.waitUntil(
      (t) => /^\S*\s*\d\d:\d\d~ <bob> old line 01$/m.test(t.screenText()),
      "the older page fetched and shown from its top",
    );
    alice.type("\x1b[6~\x1b[6~\x1b[6~\x1b[6~\x1b[6~");
    await alice.waitUntil(
      (t) => t.screenText().includes("old line 90") && !status(t).includes("more below"),
      "back at the bottom",
    );
  }, 60_000);
  test("a line typed while scrolled back goes back to the bottom, so it and its reply are seen", async () => {
    const bob = await peer("bob", ["#scroll"]);
    for (let i = 1; i <= 60; i++)
      bob.send(`PRIVMSG #scroll :scroll line ${String(i).padStart(2, "0")}`);
    bob.send("PING done");
    await bob.expect(/PONG .*done/);

    const alice = pty("alice", ["--room", "#scroll"]);
    await prompt(alice, "#scroll");
    await alice.waitFor("scroll line 60");
    alice.type("\x1b[5~");
    // Past the top of the 50 kept lines: the older page comes and is shown from its top.
    await alice.waitUntil(
      (t) => t.screenText().includes("scroll line 01") && status(t).includes("more below"),
      "scrolled back to the start",
    );

    alice.type("said while reading back\r");
    await alice.waitUntil(
      (t) =>
        t.screenText().includes("<alice> said while reading back") &&
        !status(t).includes("more below"),
      "the own line shown at the bottom",
    );
    alice.type("\x1b[5~");
    await alice.waitUntil((t) => status(t).includes("more below"), "scrolled back again");
    alice.type("/search nothing-like-this\r");
    await alice.waitUntil(
      (t) => t.screenText().includes("nothing found") && !status(t).includes("more below"),
      "the command's reply shown at the bottom",
    );
  }, 60_000);
  test("lines that came while away from a room just joined show under the 'new since you last read' row", async () => {
    const alice = pty("alice", ["--room", "#fresh"]);
    await prompt(alice, "#fresh");
    alice.type("/join #newroom\r");
    await prompt(alice, "#newroom");
    const bob = await peer("bob", ["#newroom"]);
    await alice.waitFor("bob joined #newroom");
    alice.type("\x1b1");
    await prompt(alice, "#fresh");
    bob.send("PRIVMSG #newroom :first while away");
    bob.send("PRIVMSG #newroom :second while away");
    await alice.waitUntil((t) => status(t) === "[1:#fresh] 2:#newroom(2)", "2 unread");
    alice.type("\x1b2");
    await prompt(alice, "#newroom");
    await alice.waitUntil(
      (t) =>
        /-- new since you last read --\n.*<bob> first while away\n.*<bob> second while away/.test(
          t.screenText(),
        ),
      "the divider above the two new lines",
    );
  }, 60_000);
  test("after /part of the last room, /query NICK TEXT opens that window and the prompt follows it", async () => {
    const bob = await peer("bob", ["#other"]);
    const dan = pty("dan", ["--room", "#solo"]);
    await prompt(dan, "#solo");
    dan.type("/part\r");
    await dan.waitUntil((t) => t.cursorRow().startsWith("[no room]"), "no room left");
    dan.type("/query bob hey bob\r");
    await bob.expect(/PRIVMSG bob :hey bob/);
    await prompt(dan, "bob");
    await dan.waitUntil((t) => status(t) === "[1:bob]", "bob's window, active");
    // Leaving a room is not a read position to report: the server would refuse it.
    expect(dan.term.text()).not.toContain("MARKREAD");
  }, 60_000);
});
