/**
 * The web page's pure parts, without a browser: the IRC codec, link finding
 * (http/https only), the model (order, duplicates, unread and mention marks),
 * the slash-command table, and the session's inbound table.
 */
import { describe, expect, test } from "bun:test";
import { type CommandContext, runCommand } from "../../../src/web/page/commands.ts";
import { actionText, format, parse, splitText } from "../../../src/web/page/irc.ts";
import { linkParts } from "../../../src/web/page/link.ts";
import { newSecret, plainChunks } from "../../../src/web/page/sasl.ts";
import { Session } from "../../../src/web/page/session.ts";
import { ChatState } from "../../../src/web/page/state.ts";

describe("page IRC codec", () => {
  test("parses tags (unescaped), source, command and trailing", () => {
    const m = parse(
      "@time=2026-01-01T00:00:00.000Z;+typing=active;x=a\\sb\\:c :bob!b@h PRIVMSG #r :hi there",
    );
    expect(m.tags.get("time")).toBe("2026-01-01T00:00:00.000Z");
    expect(m.tags.get("x")).toBe("a b;c");
    expect(m.nick).toBe("bob");
    expect(m.command).toBe("PRIVMSG");
    expect(m.params).toEqual(["#r", "hi there"]);
  });
  test("formats with a colon only when needed, escapes tags, and cannot inject a second line", () => {
    expect(format("PRIVMSG", ["#r", "hi"])).toBe("PRIVMSG #r hi");
    expect(format("PRIVMSG", ["#r", "a b"])).toBe("PRIVMSG #r :a b");
    expect(format("TOPIC", ["#r", ""])).toBe("TOPIC #r :");
    expect(format("PRIVMSG", ["#r", "x\r\nQUIT :bye"])).toBe("PRIVMSG #r :x  QUIT :bye");
    expect(format("TAGMSG", ["#r"], new Map([["+typing", "active"]]))).toBe(
      "@+typing=active TAGMSG #r",
    );
  });
  test("a long message is cut at spaces into pieces that fit, multi-byte characters kept whole", () => {
    const words = Array.from({ length: 100 }, (_, i) => `wörd${i}`).join(" ");
    const pieces = splitText(words, 100);
    expect(pieces.length).toBeGreaterThan(5);
    for (const p of pieces) expect(new TextEncoder().encode(p).length).toBeLessThanOrEqual(100);
    expect(pieces.join(" ")).toBe(words);
    expect(splitText("é".repeat(100), 11).every((p) => p === "é".repeat(5))).toBe(true);
  });
  test("CTCP ACTION is /me", () => {
    expect(actionText("\x01ACTION waves\x01")).toBe("waves");
    expect(actionText("hello")).toBeUndefined();
  });
});

describe("links", () => {
  test("http and https become links, without the sentence's trailing punctuation", () => {
    expect(linkParts("see https://example.org/a?b=1. ok")).toEqual([
      { text: "see " },
      { text: "https://example.org/a?b=1", href: "https://example.org/a?b=1" },
      { text: ". ok" },
    ]);
  });
  test("javascript:, data: and other schemes stay text", () => {
    for (const t of ["javascript:alert(1)", "data:text/html,<script>", "ftp://x.org/f"]) {
      expect(linkParts(t)).toEqual([{ text: t }]);
    }
  });
});

describe("model", () => {
  test("lines are kept in time order, a msgid seen twice is dropped, unread counts away from the room", () => {
    const s = new ChatState();
    s.nick = "alice";
    const c = s.ensure("#r");
    s.select("#r");
    const other = s.ensure("#other");
    expect(
      s.add(
        c,
        { time: 20, kind: "message", nick: "b", text: "2", msgid: "m2", mention: false },
        true,
      ),
    ).toBe(true);
    s.add(
      c,
      { time: 10, kind: "message", nick: "b", text: "1", msgid: "m1", mention: false },
      false,
    );
    expect(
      s.add(
        c,
        { time: 20, kind: "message", nick: "b", text: "2", msgid: "m2", mention: false },
        true,
      ),
    ).toBe(false);
    expect(c.lines.map((l) => l.text)).toEqual(["1", "2"]);
    expect(c.unread).toBe(0);
    s.add(
      other,
      {
        time: 30,
        kind: "message",
        nick: "b",
        text: "hey alice",
        mention: s.mentions("hey alice"),
        msgid: "m3",
      },
      true,
    );
    expect(other.unread).toBe(1);
    expect(other.mentioned).toBe(true);
    expect(s.badge()).toBe(1);
    expect(s.mentions("malice aforethought")).toBe(false);
    s.select("#other");
    expect(s.badge()).toBe(0);
  });
});

function fakeCtx(here: string) {
  const sent: string[][] = [];
  const said: string[] = [];
  const info: string[] = [];
  const ctx: CommandContext = {
    here,
    send: (c, p) => sent.push([c, ...p]),
    say: (t, text, action) => said.push(`${t}${action ? " *" : ""} ${text}`),
    join: (r) => sent.push(["JOIN", r]),
    open: (n) => said.push(`open ${n}`),
    info: (t) => info.push(t),
  };
  return { ctx, sent, said, info };
}

describe("slash commands", () => {
  test("/join, /me, /msg, /nick, /topic, /away, //", () => {
    const f = fakeCtx("#r");
    runCommand(f.ctx, "/join lobby");
    runCommand(f.ctx, "/me waves");
    runCommand(f.ctx, "/msg bob hi there");
    runCommand(f.ctx, "/nick carol");
    runCommand(f.ctx, "/topic new topic");
    runCommand(f.ctx, "/away lunch");
    runCommand(f.ctx, "//slash");
    expect(f.sent).toEqual([
      ["JOIN", "#lobby"],
      ["NICK", "carol"],
      ["TOPIC", "#r", "new topic"],
      ["AWAY", "lunch"],
    ]);
    expect(f.said).toEqual(["#r * waves", "bob hi there", "#r /slash"]);
  });
  test("/help lists every command; an unknown one says so", () => {
    const f = fakeCtx("#r");
    runCommand(f.ctx, "/help");
    expect(f.info.join("\n")).toContain("/msg nick text");
    runCommand(f.ctx, "/bogus");
    expect(f.info.at(-1)).toMatch(/Unknown command \/bogus/);
  });
});

describe("session inbound table", () => {
  function session() {
    const s = new ChatState();
    const alerts: string[] = [];
    const sess = new Session(
      s,
      {
        changed() {},
        alert: (_c, l) => alerts.push(l.text),
        registered() {},
        secret: () => "s3cret",
      },
      "alice",
      "ws://x/",
    );
    sess.receive(":srv 001 alice :Welcome");
    return { s, sess, alerts };
  }
  test("a DM goes to the sender's conversation and alerts; our echo goes to the recipient's", () => {
    const { s, sess, alerts } = session();
    sess.receive("@msgid=a :bob!b@h PRIVMSG alice :psst");
    sess.receive("@msgid=b :alice!a@h PRIVMSG bob :yes?");
    expect(s.get("bob")?.lines.map((l) => l.text)).toEqual(["psst", "yes?"]);
    expect(alerts).toEqual(["psst"]);
  });
  test("history in a batch is not live; a short BEFORE page means no more history", () => {
    const { s, sess, alerts } = session();
    sess.receive(":alice!a@h JOIN #r");
    s.add(
      s.ensure("#r"),
      {
        time: Date.parse("2026-06-01T00:00:00Z"),
        kind: "message",
        nick: "b",
        text: "x",
        msgid: "m9",
        mention: false,
      },
      false,
    );
    sess.loadOlder(s.ensure("#r"));
    sess.receive(":srv BATCH +h1 chathistory #r");
    sess.receive(
      "@batch=h1;msgid=m1;time=2026-01-01T00:00:00.000Z :bob!b@h PRIVMSG #r :alice: old",
    );
    sess.receive(":srv BATCH -h1");
    const c = s.ensure("#r");
    expect(c.lines.map((l) => l.text)).toEqual(["alice: old", "x"]);
    expect(alerts).toEqual([]);
    expect(c.historyDone).toBe(true);
  });
  test("typing notices come and go", () => {
    const { s, sess } = session();
    sess.receive("@+typing=active :bob!b@h TAGMSG #r");
    expect(s.typingNow(s.ensure("#r"), Date.now())).toEqual(["bob"]);
    sess.receive("@+typing=done :bob!b@h TAGMSG #r");
    expect(s.typingNow(s.ensure("#r"), Date.now())).toEqual([]);
  });
});

describe("owned-nick secret", () => {
  test("PLAIN carries the nick and secret; a payload of exactly 400 characters ends with +", () => {
    const [one] = plainChunks("hana", "s3cret");
    expect(Buffer.from(one ?? "", "base64").toString()).toBe("\0hana\0s3cret");
    // \0n\0 + 296 bytes = 300 bytes = 400 base64 characters.
    const exact = plainChunks("n", "x".repeat(296));
    expect(exact.map((c) => c.length)).toEqual([400, 1]);
    expect(exact[1]).toBe("+");
  });

  test("secrets are fresh, 32 URL-safe characters", () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newSecret()).not.toBe(a);
  });

  test("registration proves the nick before CAP END", () => {
    const sent: string[] = [];
    const sess = new Session(
      new ChatState(),
      { changed() {}, alert() {}, registered() {}, secret: () => "s3cret" },
      "hana",
      "ws://x/",
    );
    (sess as unknown as { raw(l: string): void }).raw = (l) => sent.push(l);
    sess.receive(":srv CAP * LS :sasl server-time");
    sess.receive(":srv CAP * ACK :sasl server-time");
    sess.receive("AUTHENTICATE +");
    expect(sent.slice(0, 3)).toEqual([
      "CAP REQ :server-time sasl",
      "AUTHENTICATE PLAIN",
      `AUTHENTICATE ${Buffer.from("\0hana\0s3cret").toString("base64")}`,
    ]);
    expect(sent).not.toContain("CAP END");
    sess.receive(":srv 903 hana :SASL authentication successful");
    expect(sent.at(-1)).toBe("CAP END");
  });
});

describe("read markers", () => {
  test("unread is the others' lines after the marker; history past it counts, the current room never", () => {
    const s = new ChatState();
    s.nick = "ivy";
    const c = s.ensure("#r");
    const say = (time: number, nick: string, text: string, live = false) =>
      s.add(c, { time, kind: "message", nick, text, mention: text.includes("ivy") }, live);
    say(1, "jon", "old");
    say(2, "ivy", "mine");
    expect(c.unread).toBe(0);
    s.markRead(c, 1);
    expect(c.unread).toBe(0);
    say(3, "jon", "hi ivy");
    say(4, "jon", "more");
    expect(c.unread).toBe(2);
    expect(c.mentioned).toBe(true);
    s.markRead(c, 3);
    expect([c.unread, c.mentioned]).toEqual([1, false]);
    expect(s.unmarked(c)).toBe(4);
    s.select("#r");
    s.markRead(c, 4);
    expect(c.unread).toBe(0);
    expect(s.unmarked(c)).toBeUndefined();
  });
});
