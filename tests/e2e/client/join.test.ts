/**
 * `chat join` end to end: the compiled binary as server and as clients, the
 * interactive ones under a real PTY, read through a small terminal emulator.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TestClient } from "../../helpers/irc-client.ts";
import {
  ensureBinary,
  makeHome,
  type PtyClient,
  Relay,
  runPipe,
  type ServerProc,
  spawnPty,
  spawnPtyCommand,
  startServer,
  type Term,
} from "./harness.ts";

const home = makeHome();
const env = home.env;
const started: PtyClient[] = [];

function pty(nick: string, port: number, extra: string[] = []): PtyClient {
  const c = spawnPty(["join", `127.0.0.1:${port}`, "--nick", nick, ...extra], env);
  started.push(c);
  return c;
}

/** A client is ready once its own join shows and the prompt names the room. */
async function ready(c: PtyClient, nick: string): Promise<void> {
  await c.waitFor(`* ${nick} joined #lobby`);
  await c.waitUntil((t) => t.cursorRow().startsWith("[#lobby]"), "the #lobby prompt");
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

beforeAll(() => {
  ensureBinary();
}, 120_000);

afterEach(() => {
  for (const c of started.splice(0)) c.kill();
});

afterAll(() => {
  home.cleanup();
});

describe("interactive clients", () => {
  let server: ServerProc;

  beforeAll(async () => {
    server = await startServer(env);
  });

  afterAll(async () => {
    await server.stop();
  });

  test("two people exchange messages", async () => {
    const alice = pty("alice", server.port);
    await ready(alice, "alice");
    const bob = pty("bob", server.port);
    await ready(bob, "bob");
    await alice.waitFor("* bob joined #lobby");

    alice.type("hello bob\r");
    await bob.waitFor(/\d\d:\d\d +<alice> hello bob/);
    bob.type("hi alice, emoji 👋 and 漢字\r");
    await alice.waitFor("<bob> hi alice, emoji 👋 and 漢字");
    // Alice's own line is shown once (by echo), and bob's mention of her rang the bell.
    expect(count(alice.term.text(), "<alice> hello bob")).toBe(1);
    expect(alice.term.bells).toBeGreaterThan(0);

    // A private message is filed under its sender and rings too.
    const bells = alice.term.bells;
    bob.type("/msg alice just between us\r");
    // It opens a window of its own, marked on the status line; Alt-2 shows it.
    await alice.waitUntil(
      (t) => t.rowText(t.y - 1).includes("2:bob(1!)"),
      "bob's window on the status line, unread and marked",
    );
    expect(alice.term.bells).toBeGreaterThan(bells);
    alice.type("\x1b2");
    await alice.waitUntil(
      (t) => /<bob> just between us/.test(t.screenText()) && t.cursorRow().startsWith("[bob]"),
      "bob's window shown",
    );
    expect(alice.term.rowText(alice.term.y - 1)).toContain("[2:bob]");

    alice.type("/quit\r");
    expect(await alice.exited()).toBe(0);
    await bob.waitFor(/\* alice quit/);
  });

  test("a message arriving mid-typing leaves the typed text intact on the prompt", async () => {
    const carol = pty("carol", server.port);
    await ready(carol, "carol");
    const dave = pty("dave", server.port);
    await ready(dave, "dave");

    dave.type("half typed");
    await dave.waitUntil((t) => t.cursorRow() === "[#lobby] half typed", "dave's typed text");
    carol.type("interrupting you\r");
    await dave.waitFor("<carol> interrupting you");

    const t = dave.term;
    expect(t.cursorRow()).toBe("[#lobby] half typed");
    expect(t.x).toBe("[#lobby] half typed".length);
    // Above the prompt is the status line, and above that the message.
    expect(t.rowText(t.y - 1)).toBe("[1:#lobby]");
    expect(t.rowText(t.y - 2)).toMatch(/^\d\d:\d\d +<carol> interrupting you$/);

    // The editor still holds the whole line: finishing it sends it intact.
    dave.type(" and finished\r");
    await carol.waitFor("<dave> half typed and finished");
  });

  test("a long typed line wraps onto more rows and survives a message arriving mid-typing", async () => {
    const gina = pty("gina", server.port);
    await ready(gina, "gina");
    const hal = pty("hal", server.port);
    await ready(hal, "hal");
    await gina.waitFor("* hal joined #lobby");

    // 100 columns: the prompt and 150 characters take two rows.
    const long = `${"abcdefghi ".repeat(15)}`.trimEnd();
    gina.type(long);
    const shownWhole = (t: Term): boolean =>
      `${t.rowText(t.y - 1)} ${t.cursorRow()}`.replace(/\s+/g, " ").trim() === `[#lobby] ${long}`;
    await gina.waitUntil(shownWhole, "the whole line on two rows");
    hal.type("while you type\r");
    await gina.waitFor("<hal> while you type");
    await gina.waitUntil(shownWhole, "the whole line redrawn under the message");
    const t = gina.term;
    expect(t.rowText(t.y - 2)).toBe("[1:#lobby]");
    expect(t.rowText(t.y - 3)).toMatch(/^\d\d:\d\d +<hal> while you type$/);
    gina.type("\r");
    // Wrapped on hal's screen too: compare with the line breaks taken out.
    await hal.waitUntil(
      (h) => h.text().replace(/\s+/g, " ").includes(`<gina> ${long}`),
      "gina's long line at hal",
    );
  });

  test("Tab completes a nick in the room", async () => {
    const erin = pty("erin", server.port);
    await ready(erin, "erin");
    const frank = pty("frank", server.port);
    await ready(frank, "frank");
    await erin.waitFor("* frank joined #lobby");

    erin.type("fr\t");
    await erin.waitUntil((t) => t.cursorRow() === "[#lobby] frank:", "completed nick");
    erin.type("lunch?\r");
    await frank.waitFor("<erin> frank: lunch?");

    erin.type("/he\t");
    await erin.waitUntil((t) => t.cursorRow() === "[#lobby] /help", "completed command");
    erin.type("\r");
    await erin.waitFor("/switch ROOM");
  });

  test("a taken nick falls back to nick_ and is reclaimed when it frees; Ctrl-C quits cleanly", async () => {
    const first = pty("hank", server.port);
    await ready(first, "hank");
    const second = pty("hank", server.port);
    await ready(second, "hank_");

    first.type("\x03");
    expect(await first.exited()).toBe(0);
    await second.waitFor("* hank quit");
    await second.waitFor("* hank_ is now hank");
    second.type("it is me\r");
    await second.waitFor("<hank> it is me");
  });

  test("a plain-text (nc) user and an IRC library user talk with a chat join user", async () => {
    const ivy = pty("ivy", server.port);
    await ready(ivy, "ivy");
    const nc = await TestClient.connect(server.port);
    const irc = await TestClient.connect(server.port);
    try {
      // Like nc: say nothing, and the server takes us for a person and asks for a name.
      await nc.expect("Pick a nickname");
      nc.send("ncuser");
      await nc.expect("You are in #lobby");
      await irc.register("ircuser");
      irc.send("JOIN #lobby");
      await irc.expect(/ 366 /);
      await ivy.waitFor("* ircuser joined #lobby");

      nc.send("typed in nc");
      await ivy.waitFor("<ncuser> typed in nc");
      irc.send("PRIVMSG #lobby :\x01ACTION waves from IRC\x01");
      await ivy.waitFor("* ircuser waves from IRC");
      ivy.type("hello both\r");
      await nc.expect("<ivy> hello both");
      await irc.expect(/^:ivy!\S+ PRIVMSG #lobby :hello both$/);
    } finally {
      nc.close();
      irc.close();
    }
  });

  test("an irssi user and a chat join user talk", async () => {
    const jill = pty("jill", server.port);
    await ready(jill, "jill");
    const irssi = spawnPtyCommand(
      [
        "irssi",
        `--home=${join(home.dir, "irssi")}`,
        "-c",
        "127.0.0.1",
        "-p",
        String(server.port),
        "-n",
        "irssiuser",
      ],
      env,
    );
    started.push(irssi);
    // irssi prints the welcome once registered; then it takes commands.
    await irssi.waitForRaw("Welcome to the chat IRC network");
    irssi.type("/join #lobby\r");
    await jill.waitFor("* irssiuser joined #lobby");
    irssi.type("hello from irssi\r");
    await jill.waitFor("<irssiuser> hello from irssi");
    jill.type("welcome, irssi\r");
    await irssi.waitForRaw("welcome, irssi");
    // irssi paces its first commands after connecting (~2.5 s apart, its own flood
    // control), so this test takes several seconds and has a longer limit.
  }, 30_000);

  test("/join switches rooms and /j switches back", async () => {
    const gina = pty("gina", server.port);
    await ready(gina, "gina");
    gina.type("/join dev\r");
    await gina.waitUntil((t) => t.cursorRow().startsWith("[#dev]"), "the #dev prompt");
    gina.type("/j lobby\r");
    await gina.waitUntil((t) => t.cursorRow().startsWith("[#lobby]"), "back in #lobby");
    gina.type("/nosuch\r");
    await gina.waitFor("unknown command /nosuch");
  });
});

describe("pipe and JSON modes", () => {
  let server: ServerProc;

  beforeAll(async () => {
    server = await startServer(env);
  });

  afterAll(async () => {
    await server.stop();
  });

  test("piped lines are sent, then the client exits 0", async () => {
    const watcher = pty("watcher", server.port);
    await ready(watcher, "watcher");
    const r = await runPipe(
      ["join", `127.0.0.1:${server.port}`, "--nick", "ci"],
      env,
      "build 42 passed\nsecond line\n",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    await watcher.waitFor("<ci> build 42 passed");
    await watcher.waitFor("<ci> second line");
    await watcher.waitFor("* ci quit");
  });

  test("a pipe reader prints HH:MM <nick> text, and --json one object per event", async () => {
    const sent = await runPipe(
      ["join", `127.0.0.1:${server.port}`, "--nick", "poster"],
      env,
      "for the readers\n",
    );
    expect(sent.code).toBe(0);

    const plain = await runPipe(["join", `127.0.0.1:${server.port}`, "--nick", "reader"], env, "");
    expect(plain.code).toBe(0);
    // The reader came later, so the line reaches it as history, marked "~".
    expect(plain.stdout).toMatch(/^\d\d:\d\d~ <poster> for the readers$/m);

    const json = await runPipe(
      ["join", `127.0.0.1:${server.port}`, "--nick", "jreader", "--json"],
      env,
      "",
    );
    expect(json.code).toBe(0);
    const events = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of events) {
      for (const k of ["time", "type", "room", "nick", "text", "msgid"])
        expect(e).toHaveProperty(k);
      expect(Number.isNaN(Date.parse(String(e.time)))).toBe(false);
    }
    const m = events.find((e) => e.text === "for the readers");
    expect(m).toMatchObject({ type: "message", room: "#lobby", nick: "poster" });
    expect(typeof m?.msgid).toBe("string");
    expect(events.some((e) => e.type === "join" && e.nick === "jreader")).toBe(true);
  });
});

describe("pipe mode when the reader leaves", () => {
  test("`chat join --json | head -1` ends quietly with status 0", async () => {
    const s = await startServer(env);
    try {
      const sh = Bun.spawn(
        ["sh", "-c", `(sleep 1; echo late) | "$CHAT" join 127.0.0.1:${s.port} --json | head -1`],
        {
          env: { ...env, CHAT: join(import.meta.dir, "..", "..", "..", "dist", "chat") },
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const t = setTimeout(() => sh.kill("SIGKILL"), 8000);
      const [stdout, stderr] = await Promise.all([
        new Response(sh.stdout).text(),
        new Response(sh.stderr).text(),
      ]);
      await sh.exited;
      clearTimeout(t);
      expect(JSON.parse(stdout)).toMatchObject({ type: "join" });
      expect(stderr).toBe("");
    } finally {
      await s.stop();
    }
  });
});

describe("errors: one line on stderr and the right exit status", () => {
  test("connection refused", async () => {
    // A port that was just free: nothing listens there now.
    const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = l.port;
    l.stop(true);
    const r = await runPipe(["join", `127.0.0.1:${port}`], env, "");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `chat: cannot connect to 127.0.0.1:${port}: connection refused (is chat serve running there?)\n`,
    );
  });

  test("unknown host", async () => {
    const r = await runPipe(["join", "no-such-host.invalid:6667"], env, "");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^chat: cannot connect to no-such-host\.invalid:6667: .+\n$/);
  });

  test("malformed HOST:PORT is a usage error", async () => {
    const r = await runPipe(["join", "127.0.0.1:notaport"], env, "");
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("notaport");
  });

  test("wrong and missing server password", async () => {
    const s = await startServer(env, ["--db", ":memory:", "--password", "sekrit"]);
    try {
      const wrong = await runPipe(
        ["join", `127.0.0.1:${s.port}`, "--password", "guess"],
        env,
        "hi\n",
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toBe(`chat: wrong server password for 127.0.0.1:${s.port}\n`);
      const missing = await runPipe(["join", `127.0.0.1:${s.port}`], env, "hi\n");
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("needs a password");
      const right = await runPipe(
        ["join", `127.0.0.1:${s.port}`, "--nick", "ok", "--password", "sekrit"],
        env,
        "hi\n",
      );
      expect(right.code).toBe(0);
    } finally {
      await s.stop();
    }
  });

  test("TLS to a server that does not speak it", async () => {
    const s = await startServer(env);
    try {
      const r = await runPipe(["join", `127.0.0.1:${s.port}`, "--tls"], env, "");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^chat: TLS handshake with 127\.0\.0\.1:\d+ failed .*\n$/);
    } finally {
      await s.stop();
    }
  });

  test("TLS with a pinned fingerprint that does not match is refused", async () => {
    const s = await startServer(env, ["--db", ":memory:", "--tls"]);
    try {
      const wrongFp = `SHA256:${"ab".repeat(32)}`;
      const r = await runPipe(["join", `127.0.0.1:${s.port}`, "--fp", wrongFp], env, "");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("FINGERPRINT MISMATCH");
      const fp = /SHA256:[0-9a-f]{64}/.exec(s.output())?.[0];
      expect(fp).toBeDefined();
      const ok = await runPipe(
        ["join", `127.0.0.1:${s.port}`, "--fp", fp ?? "", "--nick", "secure"],
        env,
        "over tls\n",
      );
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);
    } finally {
      await s.stop();
    }
  });
});

describe("TLS trust on first use (interactive)", () => {
  test("asks once, remembers the answer, and connects without asking next time", async () => {
    const s = await startServer(env, ["--db", ":memory:", "--tls"]);
    try {
      const first = pty("tofu", s.port, ["--tls"]);
      await first.waitFor("Trust this server and remember it?");
      first.type("yes\r");
      await ready(first, "tofu");
      first.type("/quit\r");
      expect(await first.exited()).toBe(0);

      const again = pty("tofu", s.port, ["--tls"]);
      await ready(again, "tofu");
      expect(again.term.text()).not.toContain("Trust this server");
    } finally {
      await s.stop();
    }
  });
});

describe("resilience", () => {
  test("after a server restart the client reconnects, rejoins and catches up exactly once", async () => {
    const db = join(home.dir, "restart.db");
    let server = await startServer(env, ["--db", db]);
    const relay = new Relay(server.port);
    relay.start();
    try {
      const alice = pty("alice", relay.port);
      await ready(alice, "alice");
      const send = (text: string): ReturnType<typeof runPipe> =>
        runPipe(["join", `127.0.0.1:${server.port}`, "--nick", "bob"], env, `${text}\n`);
      expect((await send("before the blip")).code).toBe(0);
      await alice.waitFor("<bob> before the blip");

      // Alice's link drops and stays down while the server restarts and bob talks.
      relay.cut();
      await alice.waitFor(/disconnected from .* reconnecting/);
      alice.type("typed while offline\r");
      await alice.waitFor("will send when reconnected: typed while offline");
      const port = server.port;
      await server.stop();
      server = await startServer(env, ["--db", db], port);
      expect((await send("while you were away 1")).code).toBe(0);
      expect((await send("while you were away 2")).code).toBe(0);

      relay.restore();
      await alice.waitFor("reconnected to", 20_000);
      await alice.waitFor("<bob> while you were away 2");
      await alice.waitFor("caught up: 2 messages in #lobby while you were away");
      await alice.waitUntil((t) => t.cursorRow().startsWith("[#lobby]"), "the prompt back");
      const screen = alice.term.text();
      expect(count(screen, "<bob> before the blip")).toBe(1);
      expect(count(screen, "<bob> while you were away 1")).toBe(1);
      expect(count(screen, "<bob> while you were away 2")).toBe(1);
      expect(count(screen, "disconnected from")).toBe(1);

      // The line typed while away went out after the rejoin (its echo came back),
      // and after the catch-up, so the conversation reads in order.
      await alice.waitFor("<alice> typed while offline");
      const shown = alice.term.text();
      expect(shown.indexOf("<bob> while you were away 2")).toBeLessThan(
        shown.indexOf("<alice> typed while offline"),
      );
      alice.type("back again\r");
      await alice.waitFor("<alice> back again");
    } finally {
      relay.stop();
      await server.stop();
    }
  }, 60_000);
});
