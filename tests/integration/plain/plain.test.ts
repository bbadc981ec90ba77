/**
 * Plain-text mode over real sockets: a raw-socket "nc" user and IRC users in the
 * same rooms, every slash command, nick hints, history on arrival, passwords.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ircUser, LineClient, plainUser, startServer, type TestServer } from "./harness.ts";

const TIME = "\\d\\d:\\d\\d";
const COMMAND_WORDS = [
  "/join",
  "/msg",
  "/me",
  "/who",
  "/topic",
  "/rooms",
  "/away",
  "/query",
  "/help",
  "/",
  "//",
  "/constructor",
  "/__proto__",
];
let srv: TestServer;
const clients: LineClient[] = [];

async function plain(nick: string): Promise<LineClient> {
  const c = await plainUser(srv.port, nick);
  clients.push(c);
  return c;
}

async function irc(nick: string, channel = "#lobby"): Promise<LineClient> {
  const c = await ircUser(srv.port, nick, channel);
  clients.push(c);
  return c;
}

async function raw(): Promise<LineClient> {
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  return c;
}

beforeAll(() => {
  srv = startServer();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  await srv.stop();
});

describe("arriving", () => {
  test("a silent nc user is greeted and asked for a nickname, then lands in #lobby", async () => {
    const c = await raw();
    await c.waitFor(/^\*\*\* Welcome to chat/);
    await c.waitFor("Pick a nickname");
    c.send("ann");
    await c.waitFor("*** Hello ann! Type /help for commands.");
    const here = await c.waitFor(/^\*\*\* You are in #lobby now/);
    expect(here).toContain("ann");
  });

  test("typing a nickname straight away works too", async () => {
    const c = await raw();
    c.send("quick");
    await c.waitFor("*** Hello quick!");
  });

  test("a taken nickname gets a free suggestion, and the suggestion works", async () => {
    await irc("carol");
    const c = await raw();
    c.send("carol");
    const hint = await c.waitFor(/carol is taken\. Try (\S+)\?/);
    const suggestion = /Try (\S+)\?/.exec(hint)?.[1] as string;
    expect(suggestion).not.toBe("carol");
    c.send(suggestion);
    await c.waitFor(`*** Hello ${suggestion}!`);
  });

  test("an invalid nickname is refused with the reason, and the user can try again", async () => {
    const c = await raw();
    c.send("9lives");
    await c.waitFor(/9lives can't be a nickname: use letters, digits/);
    c.send("lives9");
    await c.waitFor("*** Hello lives9!");
  });

  test("at the nickname prompt, /nick NAME works and other commands explain", async () => {
    const c = await raw();
    c.send("/who");
    await c.waitFor("*** First pick a nickname: just type it and press Enter.");
    c.send("/nick slashnick");
    await c.waitFor("*** Hello slashnick!");
  });

  test("/quit at the nickname prompt leaves", async () => {
    const c = await raw();
    c.send("/quit");
    await c.waitFor("*** Bye!");
    await c.waitClosed();
  });

  test("recent lines of #lobby are shown on arrival, marked as history", async () => {
    const bob = await irc("histbob");
    bob.send("PRIVMSG #lobby :first remembered line", "PRIVMSG #lobby :second remembered line");
    // The IRC client has no echo-message: wait until an observer saw both.
    const watcher = await irc("histwatch");
    await watcher.waitFor("second remembered line");
    const c = await plain("histann");
    await c.waitFor(/^\*\*\* Recent messages in #lobby \(history\):$/);
    await c.waitFor(new RegExp(`^\\[history\\] ${TIME} <histbob> first remembered line$`));
    await c.waitFor(new RegExp(`^\\[history\\] ${TIME} <histbob> second remembered line$`));
    await c.waitFor("*** End of history.");
  });
});

describe("chatting with IRC users", () => {
  test("an nc user and an IRC user talk both ways in #lobby", async () => {
    const bob = await irc("bob");
    const alice = await plain("alice");
    await bob.waitFor(/^:alice!\S+ JOIN :?#lobby$/);
    alice.send("hello from nc");
    await bob.waitFor(/^:alice!\S+ PRIVMSG #lobby :hello from nc$/);
    bob.send("PRIVMSG #lobby :hi alice, from irc");
    await alice.waitFor(new RegExp(`^${TIME} <bob> hi alice, from irc$`));
  });

  test("the nc user sees joins, parts, nick changes and quits as readable lines", async () => {
    const watcher = await plain("watcher");
    const dan = await irc("dan");
    await watcher.waitFor(new RegExp(`^${TIME} \\* dan joined #lobby$`));
    dan.send("NICK danny");
    await watcher.waitFor(new RegExp(`^${TIME} \\* dan is now known as danny$`));
    dan.send("PART #lobby :off to lunch");
    await watcher.waitFor(new RegExp(`^${TIME} \\* danny left #lobby \\(off to lunch\\)$`));
    dan.send("JOIN #lobby", "QUIT :see you");
    await watcher.waitFor(new RegExp(`^${TIME} \\* danny quit \\(see you\\)$`));
  });

  test("a very long typed line reaches IRC users whole, as messages within 512 bytes", async () => {
    const alice = await plain("longtalker");
    const bob = await irc("longbob");
    const words = Array.from({ length: 300 }, (_, i) => `wörd${i}`);
    alice.send(words.join(" "));
    const got: string[] = [];
    while (!got.join(" ").includes("wörd299")) {
      const line = await bob.waitFor(/^:longtalker!\S+ PRIVMSG #lobby :/);
      expect(new TextEncoder().encode(`${line}\r\n`).length).toBeLessThanOrEqual(512);
      got.push(line.slice(line.indexOf(" :") + 2));
    }
    expect(got.length).toBeGreaterThan(1);
    expect(got.join(" ")).toBe(words.join(" "));
  });

  test("a kicked nc user is told, and a line typed afterwards is not lost silently", async () => {
    const op = await irc("kickop");
    const victim = await plain("kicked");
    await op.waitFor(/^:kicked!\S+ JOIN/);
    op.send("KICK #lobby kicked :be nice");
    await victim.waitFor(
      new RegExp(`^${TIME} \\* kicked was kicked from #lobby by kickop \\(be nice\\)$`),
    );
    victim.send("am I still here?");
    await victim.waitFor(
      /^\*\*\* You are no longer in #lobby; that line was not sent\. \/join #lobby/,
    );
    victim.send("/join lobby");
    await victim.waitFor(/^\*\*\* You are in #lobby now/);
    victim.send("back again");
    await op.waitFor(/^:kicked!\S+ PRIVMSG #lobby :back again$/);
  });

  test("control bytes and colours from others never reach the terminal raw", async () => {
    const victim = await plain("victim");
    const evil = await irc("evil");
    await victim.waitFor("evil joined #lobby");
    evil.send("PRIVMSG #lobby :\x1b[2Jwiped \x034,5red\x03 \x02bold\x02 \x07bell \u202eevil");
    const line = await victim.waitFor(/<evil>/);
    expect(line).toMatch(new RegExp(`^${TIME} <evil> \\[2Jwiped red bold bell evil$`));
    const bytes = victim.raw;
    const unsafe = bytes.filter((b) => (b < 0x20 && b !== 0x0a && b !== 0x0d) || b === 0x7f);
    expect(unsafe).toEqual([]);
  });
});

describe("slash commands", () => {
  test("/help lists every command", async () => {
    const c = await plain("helper");
    c.send("/help");
    for (const cmd of [
      "/join",
      "/part",
      "/msg",
      "/me",
      "/nick",
      "/who",
      "/whois",
      "/topic",
      "/quit",
    ]) {
      await c.waitFor(new RegExp(`^\\s+${cmd.replace("/", "\\/")} `));
    }
  });

  test("/whois tells who someone is: address, rooms with status, away, idle", async () => {
    const c = await plain("asker");
    const bob = await irc("whobob");
    bob.send("AWAY :at lunch");
    await bob.waitFor(/ 306 whobob /);
    c.send("/whois whobob");
    await c.waitFor(/^\*\*\* whobob is ~\S+@\S+ \(.*\)$/);
    await c.waitFor(/^\*\*\* whobob is in .*#lobby/);
    await c.waitFor("*** whobob is away: at lunch");
    await c.waitFor(/^\*\*\* whobob has been idle \d+ s$/);
    c.send("/whois nobody-here");
    await c.waitFor(/^\*\*\* .*nobody-here/);
    expect(c.lines.some((l) => l.includes("Unknown command /whois"))).toBe(false);
  });

  test("an unknown command says so and is not sent to the room", async () => {
    const c = await plain("typo");
    const bob = await irc("typobob");
    c.send("/frobnicate now");
    await c.waitFor("*** Unknown command /frobnicate. Type /help for the list.");
    c.send("after the typo");
    await bob.waitFor(/^:typo!\S+ PRIVMSG #lobby :after the typo$/);
    expect(bob.lines.filter((l) => l.includes("frobnicate"))).toEqual([]);
  });

  test("/me is an action both ways", async () => {
    const alice = await plain("actor");
    const bob = await irc("actbob");
    alice.send("/me waves");
    await bob.waitFor(/^:actor!\S+ PRIVMSG #lobby :\x01ACTION waves\x01$/);
    bob.send("PRIVMSG #lobby :\x01ACTION bows\x01");
    await alice.waitFor(new RegExp(`^${TIME} \\* actbob bows$`));
  });

  test("/msg sends privately with a receipt; private messages arrive as *nick*", async () => {
    const alice = await plain("whisper");
    const bob = await irc("pmbob", "");
    alice.send("/msg pmbob psst, a secret");
    await alice.waitFor("-> *pmbob* psst, a secret");
    await bob.waitFor(/^:whisper!\S+ PRIVMSG pmbob :psst, a secret$/);
    bob.send("PRIVMSG whisper :secret back");
    await alice.waitFor(new RegExp(`^${TIME} \\*pmbob\\* secret back$`));
    alice.send("/msg nobody-here hi");
    await alice.waitFor("*** There is no one called nobody-here here.");
  });

  test("/nick changes the nickname, seen by IRC users; a taken one gets a hint", async () => {
    const alice = await plain("renamer");
    const bob = await irc("nickbob");
    alice.send("/nick renamed");
    await alice.waitFor(new RegExp(`^${TIME} \\* renamer is now known as renamed$`));
    await bob.waitFor(/^:renamer!\S+ NICK :?renamed$/);
    alice.send("/nick nickbob");
    await alice.waitFor(/^\*\*\* nickbob is taken\. Try \S+\?$/);
    alice.send("/nick 1bad");
    await alice.waitFor(/^\*\*\* 1bad can't be a nickname/);
  });

  test("/join moves the conversation to another room; /part comes back", async () => {
    const alice = await plain("roamer");
    const bob = await irc("devbob", "#dev");
    alice.send("/join dev");
    await alice.waitFor(/^\*\*\* You are in #dev now, with 2 here: .*devbob/);
    await bob.waitFor(/^:roamer!\S+ JOIN :?#dev$/);
    alice.send("talking in dev");
    await bob.waitFor(/^:roamer!\S+ PRIVMSG #dev :talking in dev$/);
    bob.send("PRIVMSG #dev :answer in dev");
    // Lines from rooms other than #lobby name their room.
    await alice.waitFor(new RegExp(`^${TIME} #dev <devbob> answer in dev$`));
    alice.send("/part");
    await bob.waitFor(/^:roamer!\S+ PART #dev/);
    await alice.waitFor("*** You left #dev; you now talk in #lobby.");
    alice.send("/part #nowhere");
    await alice.waitFor(/^\*\*\* (There is no room #nowhere|You are not in #nowhere)/);
  });

  test("in two rooms, #lobby lines are named too; someone only in #lobby sees them bare", async () => {
    const walker = await plain("walker");
    const sitter = await plain("sitter");
    const talker = await irc("talker");
    walker.send("/join side");
    await walker.waitFor(/^\*\*\* You are in #side now/);
    talker.send("PRIVMSG #lobby :lobby news");
    await walker.waitFor(new RegExp(`^${TIME} #lobby <talker> lobby news$`));
    await sitter.waitFor(new RegExp(`^${TIME} <talker> lobby news$`));
    walker.send("/part");
    await walker.waitFor("*** You left #side; you now talk in #lobby.");
    talker.send("PRIVMSG #lobby :back to one room");
    await walker.waitFor(new RegExp(`^${TIME} <talker> back to one room$`));
  });

  test("/who lists the people in the room", async () => {
    const alice = await plain("whoami");
    await irc("whobob");
    alice.send("/who");
    const line = await alice.waitFor(/^\*\*\* \d+ in #lobby: /);
    expect(line).toContain("whoami");
    expect(line).toContain("whobob");
  });

  test("/topic sets (as room operator) and shows the topic; others see the change", async () => {
    // The first one into #lobby runs it, so topper is not its operator.
    await irc("lobbyop");
    const alice = await plain("topper");
    alice.send("/join #topics");
    await alice.waitFor(/^\*\*\* You are in #topics now/);
    const bob = await irc("topbob", "#topics");
    alice.send("/topic Plans for friday");
    await bob.waitFor(/^:topper!\S+ TOPIC #topics :Plans for friday$/);
    await alice.waitFor(
      new RegExp(`^${TIME} \\* topper set the topic of #topics to: Plans for friday$`),
    );
    alice.send("/topic");
    await alice.waitFor("*** Topic of #topics: Plans for friday (set by topper)");
    // In #lobby someone else is operator (+t): the refusal is explained.
    alice.send("/part");
    await alice.waitFor(/you now talk in #lobby/);
    alice.send("/topic mine now");
    await alice.waitFor(/^\*\*\* Only a room operator of #lobby can do that\.$/);
  });

  test("/quit says goodbye, closes the connection, and others see the quit", async () => {
    const alice = await plain("leaver");
    const bob = await irc("quitbob");
    alice.send("/quit bye all");
    await alice.waitFor(/^\*\*\* Bye!$/);
    await alice.waitClosed();
    await bob.waitFor(/^:leaver!\S+ QUIT :.*bye all$/);
  });

  test("/query sends typed lines privately until /part", async () => {
    const alice = await plain("querier");
    const bob = await irc("qbob");
    alice.send("/query qbob");
    await alice.waitFor("*** Typed lines now go privately to qbob. /part to stop.");
    alice.send("just between us");
    await alice.waitFor("-> *qbob* just between us");
    await bob.waitFor(/^:querier!\S+ PRIVMSG qbob :just between us$/);
    alice.send("/me nods");
    await alice.waitFor("-> *qbob* * querier nods");
    await bob.waitFor(/^:querier!\S+ PRIVMSG qbob :\x01ACTION nods\x01$/);
    alice.send("/part");
    await alice.waitFor("*** Private conversation with qbob closed; you now talk in #lobby.");
    alice.send("back in the room");
    await bob.waitFor(/^:querier!\S+ PRIVMSG #lobby :back in the room$/);
    alice.send("/query ghost");
    await alice.waitFor("*** There is no one called ghost here.");
  });

  test("/away marks the nc user away for IRC users; an away IRC user is shown once", async () => {
    const alice = await plain("awayann");
    const bob = await irc("awaybob");
    alice.send("/away at lunch");
    await alice.waitFor("*** You are marked away: at lunch. Type /away again to come back.");
    bob.send("PRIVMSG awayann :are you there?");
    await bob.waitFor(/ 301 awaybob awayann :at lunch$/);
    alice.send("/away");
    await alice.waitFor("*** You are back.");
    bob.send("AWAY :in a meeting");
    await bob.waitFor(/ 306 /);
    alice.send("/query awaybob", "first", "second");
    await alice.waitFor("-> *awaybob* first");
    await alice.waitFor("*** awaybob is away: in a meeting");
    await alice.waitFor("-> *awaybob* second");
    alice.send("/msg awaybob third");
    await alice.waitFor("-> *awaybob* third");
    // Shown once for the three messages, not repeated at every one.
    expect(alice.lines.filter((l) => l.includes("awaybob is away"))).toHaveLength(1);
  });

  test("// sends a line that starts with a slash", async () => {
    const alice = await plain("slasher");
    const bob = await irc("slashbob");
    alice.send("//shrug");
    await bob.waitFor(/^:slasher!\S+ PRIVMSG #lobby :\/shrug$/);
  });
});

describe("telling humans from IRC clients", () => {
  test("an IRC client that speaks first is never greeted as a human", async () => {
    const c = await raw();
    c.send("NICK fastirc", "USER fastirc 0 * :Fast");
    await c.waitFor(/^:\S+ 001 fastirc /);
    expect(c.lines.filter((l) => l.startsWith("***"))).toEqual([]);
  });

  test.each(["user", "Nick", "pass"])(
    "a human whose nickname is the IRC word %p is still a human",
    async (nick) => {
      const c = await raw();
      c.send(nick);
      await c.waitFor(`*** Hello ${nick}!`);
    },
  );

  test("a script that sends lower-case `nick`/`user` at once is an IRC client", async () => {
    const c = await raw();
    c.send("nick bot");
    c.send("user bot 0 * :Bot");
    await c.waitFor(/ 001 bot /);
  });

  test("a person who answers the greeting with `nick carol` is a human named carol", async () => {
    const c = await raw();
    await c.waitFor("Pick a nickname");
    c.send("nick carol");
    await c.waitFor("*** Hello carol!");
  });

  test("a person who answers the greeting with `Nick dora` is a human named dora", async () => {
    const c = await raw();
    await c.waitFor("Pick a nickname");
    c.send("Nick dora");
    await c.waitFor("*** Hello dora!");
    await c.waitFor(/^\*\*\* You are in #lobby now/);
  });

  test("a telnet client that negotiates unasked (PuTTY, Windows) is a human all the same", async () => {
    const c = await raw();
    // IAC WILL NAWS, IAC WILL TTYPE, IAC DO ECHO, IAC SB NAWS 80x24 IAC SE, then a nickname.
    c.sendBytes(
      Uint8Array.of(255, 251, 31, 255, 251, 24, 255, 253, 1, 255, 250, 31, 0, 80, 0, 24, 255, 240),
    );
    c.send("putty");
    await c.waitFor("*** Hello putty!");
    c.sendBytes(Uint8Array.of(255, 244)); // IAC IP: Ctrl-C
    c.send("/who");
    await c.waitFor(/^\*\*\* \d+ in #lobby: .*putty/);
  });

  test("a slow IRC client that registers after the greeting still gets IRC", async () => {
    const c = await raw();
    await c.waitFor("Pick a nickname");
    c.send("NICK slowirc", "USER slowirc 0 * :Slow");
    await c.waitFor(/^:\S+ 001 slowirc /);
    c.send("JOIN #lobby");
    await c.waitFor(/^:slowirc!\S+ JOIN :?#lobby$/);
  });
});

describe("robustness", () => {
  // 150 lines at once would trip the flood limit, which is not what this is about.
  let open: TestServer;
  beforeAll(() => {
    open = startServer({ limits: { floodLimit: false } });
  });
  afterAll(async () => {
    await open.stop();
  });

  test("random typed lines and commands never break the nc user's session", async () => {
    const words = fc.oneof(
      fc.constantFrom(...COMMAND_WORDS),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.constantFrom("#lobby", "#x", "lobby", "", " ", "fuzzbob", "\u00e9t\u00e9", "#"),
    );
    const lineArb = fc.array(words, { minLength: 1, maxLength: 4 }).map((ws) => ws.join(" "));
    const typed = fc
      .sample(lineArb, { numRuns: 150, seed: 42 })
      // A line that quits, parts everything or renames on purpose would end the test early.
      .filter((l) => !/^\s*\/(quit|exit|bye|nick|part|leave)\b/i.test(l))
      .map((l) => l.replace(/[\r\n]/g, " "));
    const alice = await plainUser(open.port, "fuzzann");
    const bob = await ircUser(open.port, "fuzzbob");
    clients.push(alice, bob);
    alice.send(...typed);
    alice.send("/join lobby", "the end of the fuzz");
    await bob.waitFor(/^:fuzzann!\S+ PRIVMSG #lobby :the end of the fuzz$/, 10_000);
    expect(alice.closed).toBe(false);
    expect(open.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });
});

describe("idle humans", () => {
  let quick: TestServer;
  beforeAll(() => {
    quick = startServer({ limits: { pingIdleMs: 100, pingTimeoutMs: 100, tickMs: 20 } });
  });
  afterAll(async () => {
    await quick.stop();
  });

  test("a quiet nc reader is not dropped for ping timeout (it cannot answer PING)", async () => {
    const reader = await plainUser(quick.port, "reader");
    clients.push(reader);
    // An IRC client that ignores PING is the clock: by the time it is dropped,
    // the reader has been idle past the same limits.
    const silent = await ircUser(quick.port, "silentirc");
    clients.push(silent);
    await silent.waitFor(/^PING /);
    await silent.waitClosed();
    const talker = await ircUser(quick.port, "talker");
    clients.push(talker);
    talker.send("PRIVMSG #lobby :still there?");
    await reader.waitFor(new RegExp(`^${TIME} <talker> still there\\?$`));
    expect(reader.closed).toBe(false);
  });
});

describe("server shutdown", () => {
  test("an nc user is told in words when the server stops", async () => {
    const doomed = startServer();
    try {
      const c = await plainUser(doomed.port, "stayer");
      clients.push(c);
      await doomed.running.stop();
      await c.waitFor("*** Disconnected: Server shutting down");
      await c.waitClosed();
      expect(c.lines.filter((l) => l.startsWith("ERROR"))).toEqual([]);
    } finally {
      await doomed.stop();
    }
  });
});

describe("a server with a password", () => {
  let locked: TestServer;
  beforeAll(() => {
    locked = startServer({ password: "sesame" });
  });
  afterAll(async () => {
    await locked.stop();
  });

  test("asks for the password before the nickname", async () => {
    const c = await LineClient.connect(locked.port);
    clients.push(c);
    await c.waitFor("This server has a password. Password?");
    c.send("wrong");
    await c.waitFor("*** Wrong password. Password?");
    c.send("sesame");
    await c.waitFor("*** Password accepted. Pick a nickname");
    c.send("insider");
    await c.waitFor("*** Hello insider!");
  });

  test("three wrong passwords close the connection", async () => {
    const c = await LineClient.connect(locked.port);
    clients.push(c);
    c.send("a");
    c.send("b");
    c.send("c");
    await c.waitFor("*** Wrong password again; closing the connection.");
    await c.waitClosed();
  });
});
