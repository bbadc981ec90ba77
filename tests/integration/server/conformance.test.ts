/**
 * Where `chat serve` used to answer differently from InspIRCd and ngIRCd in a way
 * a client or bot would notice. Each test names the peer behaviour it matches.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { OperCredentials } from "../../../src/security/password.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** alice creates `room` (so she is operator), then bob joins. */
async function pair(room: string): Promise<{ a: TestClient; b: TestClient }> {
  t = await startTestServer();
  const a = await t.client("alice");
  const b = await t.client("bob");
  a.send(`JOIN ${room}`);
  await a.expect(new RegExp(` 366 alice ${room} `));
  b.send(`JOIN ${room}`);
  await b.expect(new RegExp(` 366 bob ${room} `));
  await a.expect(new RegExp(`:bob!\\S+ JOIN ${room}$`));
  return { a, b };
}

/** Round-trip a PING so every earlier reply has arrived; returns the lines since `from`. */
async function sync(c: TestClient, from = 0): Promise<string[]> {
  c.send("PING sync");
  await c.expect("PONG");
  return c.lines.slice(from);
}

describe("the text of a numeric is always a trailing parameter", () => {
  // Bots commonly take everything after " :" as the text; both peers always send it.
  test("a one-word topic, away message and channel list keep their colon", async () => {
    const { a, b } = await pair("#c");
    a.send("TOPIC #c :word");
    await b.expect(/ TOPIC #c :word$/);
    b.send("TOPIC #c");
    await b.expect(/^:\S+ 332 bob #c :word$/);
    await b.expect(/^:\S+ 333 bob #c alice!\S+ :\d+$/);
    b.send("AWAY :lunch");
    await b.expect(/ 306 bob :/);
    a.send("PRIVMSG bob :hi");
    await a.expect(/^:\S+ 301 alice bob :lunch$/);
    b.send("WHOIS alice");
    await b.expect(/^:\S+ 319 bob alice :@#c$/);
    await b.expect(/^:\S+ 318 bob alice :/);
  });

  test("PONG carries the token as a trailing parameter", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    a.send("PING tok");
    await a.expect(/^:\S+ PONG \S+ :tok$/);
  });
});

describe("relayed lines fit in 512 bytes", () => {
  const bytes = (line: string): number => Buffer.byteLength(line) + 2;

  test("a PRIVMSG that was 510 bytes as sent is cut so the relayed line fits", async () => {
    const { a, b } = await pair("#long");
    const head = "PRIVMSG #long :";
    const text = "é".repeat(50) + "x".repeat(510 - head.length - 100);
    expect(Buffer.byteLength(head + text)).toBe(510);
    a.send(head + text);
    const got = await b.expect(/ PRIVMSG #long :/);
    expect(bytes(got)).toBeLessThanOrEqual(512);
    const relayed = got.slice(got.indexOf(" :") + 2);
    expect(text.startsWith(relayed)).toBe(true);
    // Cut, not dropped: only the prefix's worth of text is lost.
    expect(relayed.length).toBeGreaterThan(text.length - 80);
  });

  test("a long /me is cut inside the CTCP, keeping its closing \\x01", async () => {
    const { a, b } = await pair("#long");
    const head = "PRIVMSG #long :\x01ACTION ";
    a.send(`${head}${"w".repeat(510 - head.length - 1)}\x01`);
    const got = await b.expect(/ PRIVMSG #long :\x01ACTION w/);
    expect(bytes(got)).toBeLessThanOrEqual(512);
    expect(got).toEndWith("w\x01");
  });

  test("a private message, a PART reason and a QUIT reason fit too", async () => {
    const { a, b } = await pair("#long");
    // A second shared room, so bob still sees alice's QUIT after she parts #long.
    a.send("JOIN #q");
    b.send("JOIN #q");
    await a.expect(/:bob!\S+ JOIN #q$/);
    a.send(`PRIVMSG bob :${"p".repeat(510 - "PRIVMSG bob :".length)}`);
    expect(bytes(await b.expect(/ PRIVMSG bob :p/))).toBeLessThanOrEqual(512);
    a.send(`PART #long :${"r".repeat(510 - "PART #long :".length)}`);
    expect(bytes(await b.expect(/ PART #long :r/))).toBeLessThanOrEqual(512);
    a.send(`QUIT :${"q".repeat(510 - "QUIT :".length)}`);
    expect(bytes(await b.expect(/ QUIT :Quit: q/))).toBeLessThanOrEqual(512);
  });
});

describe("MODE errors are answered, and never hide applied changes", () => {
  test("+o without a nick is ERR_INVALIDMODEPARAM (696), not silence", async () => {
    const { a } = await pair("#m");
    a.send("MODE #m +o");
    await a.expect(/^:\S+ 696 alice #m o \* :/);
    a.send("MODE #m +k");
    await a.expect(/^:\S+ 696 alice #m k \* :/);
  });

  test("+o for a nick nobody has is ERR_NOSUCHNICK (401); someone elsewhere is 441", async () => {
    const { a } = await pair("#m");
    const c = await (t as TestServer).client("carol");
    a.send("MODE #m +o nobody");
    await a.expect(/^:\S+ 401 alice nobody :/);
    a.send("MODE #m +o carol");
    await a.expect(/^:\S+ 441 alice carol #m :/);
    c.close();
  });

  test("a bad change after good ones: the room still sees the good ones", async () => {
    const { a, b } = await pair("#m");
    a.send("MODE #m +m+o nobody");
    await b.expect(/^:alice!\S+ MODE #m :?\+m$/);
    await a.expect(/^:\S+ 401 alice nobody :/);
    a.send("MODE #m");
    await a.expect(/ 324 alice #m :\+mnt$/);
  });
});

describe("JOIN of several rooms", () => {
  test("each room's NAMES end before the next room's JOIN, as InspIRCd and ngIRCd send", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const from = a.lines.length;
    a.send("JOIN #one,#two");
    await a.expect(/ 366 alice #two :/);
    const seen = (await sync(a, from)).filter((l) => / (JOIN|353|366) /.test(l));
    const kinds = seen.map((l) => {
      const m = / (JOIN|353|366) .*?(#\w+)/.exec(l);
      return m === null ? l : `${m[1]} ${m[2]}`;
    });
    expect(kinds).toEqual([
      "JOIN #one",
      "353 #one",
      "366 #one",
      "JOIN #two",
      "353 #two",
      "366 #two",
    ]);
  });
});

describe("VERSION and TIME", () => {
  // Both peers answer these (clients' /version and /time); 421 made the server look broken.
  test("VERSION answers 351 and the ISUPPORT tokens; TIME answers 391", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    a.send("VERSION");
    await a.expect(/^:\S+ 351 alice \S+ \S+ :/);
    await a.expect(/^:\S+ 005 alice .*CASEMAPPING=rfc1459.* :are supported by this server$/);
    a.send("TIME");
    const line = await a.expect(/^:\S+ 391 alice \S+ \d+ 0 :/);
    const seconds = Number(line.split(" ")[4]);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe("replies about a user fit in 512 bytes", () => {
  const fits = (line: string): boolean => Buffer.byteLength(line) + 2 <= 512;

  test("WHOIS of someone in many long-named rooms splits RPL_WHOISCHANNELS", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    const rooms = Array.from({ length: 12 }, (_, i) => `#${"é".repeat(20)}${"r".repeat(20)}${i}`);
    for (let i = 0; i < rooms.length; i += 4) a.send(`JOIN ${rooms.slice(i, i + 4).join(",")}`);
    await a.expect(new RegExp(` 366 alice ${rooms[11]} `));
    const from = b.lines.length;
    b.send("WHOIS alice");
    await b.expect(/ 318 bob alice :/);
    const chans = b.lines.slice(from).filter((l) => / 319 bob alice :/.test(l));
    expect(chans.length).toBeGreaterThan(1);
    for (const l of chans) expect(fits(l)).toBe(true);
    const listed = chans.flatMap((l) => l.slice(l.indexOf(" :") + 2).split(" "));
    expect(listed.map((c) => c.replace(/^[@+]+/, "")).sort()).toEqual([...rooms].sort());
  });

  test("a 400-byte real name is cut to NAMELEN so WHO and WHOIS lines fit", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { realname: "r".repeat(400) });
    const b = await t.client("bob");
    expect(b.lines.join("\n")).toContain("NAMELEN=128");
    a.send("JOIN #n");
    await a.expect(/ 366 alice #n /);
    b.send("WHO #n");
    const who = await b.expect(/ 352 bob #n /);
    expect(fits(who)).toBe(true);
    expect(who).toEndWith(` :0 ${"r".repeat(128)}`);
    b.send("WHOIS alice");
    const whois = await b.expect(/ 311 bob alice /);
    expect(whois).toEndWith(`:${"r".repeat(128)}`);
  });
});

describe("channel replies fit in 512 bytes with a non-ASCII room name", () => {
  const room = `#${"é".repeat(49)}`;
  const fits = (line: string): boolean => Buffer.byteLength(line) + 2 <= 512;

  test("a TOPIC of TOPICLEN bytes is cut so the relayed line fits", async () => {
    t = await startTestServer();
    const a = await t.client("a".repeat(30), { user: "u".repeat(10) });
    a.send(`JOIN ${room}`);
    await a.expect(/ 366 /);
    a.send(`TOPIC ${room} :${"t".repeat(390)}`);
    const line = await a.expect(/ TOPIC #/);
    expect(fits(line)).toBe(true);
    expect(line).toContain(` :${"t".repeat(300)}`);
  });

  test("NAMES with userhost-in-names splits by bytes", async () => {
    t = await startTestServer();
    const clients: TestClient[] = [];
    for (let i = 0; i < 10; i++) {
      const c = await t.client(`${"n".repeat(23)}${i}`, { caps: ["userhost-in-names"] });
      c.send(`JOIN ${room}`);
      await c.expect(/ 366 /);
      clients.push(c);
    }
    const last = clients[9] as TestClient;
    const from = last.lines.length;
    last.send(`NAMES ${room}`);
    await last.expect(/ 366 /);
    const names = last.lines.slice(from).filter((l) => / 353 /.test(l));
    for (const l of names) expect(fits(l)).toBe(true);
    expect(names.join(" ").match(/n{23}\d!/g)?.length).toBe(10);
  });
});

describe("WHO flags", () => {
  test("WHO <mask> o lists only IRC operators, marked with *", async () => {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const a = await t.client("alice");
    const b = await t.client("bob");
    for (const c of [a, b]) {
      c.send("JOIN #w");
      await c.expect(/ 366 \S+ #w /);
    }
    b.send("OPER root pw");
    await b.expect(/ 381 bob /);
    const from = a.lines.length;
    a.send("WHO #w o");
    await a.expect(/ 315 alice #w :/);
    a.send("WHO * o");
    await a.expect(/ 315 alice \* :/);
    const who = a.lines.slice(from).filter((l) => / 352 /.test(l));
    expect(who.length).toBe(2);
    for (const l of who) expect(l).toMatch(/ 352 alice \S+ \S+ \S+ \S+ bob H\*/);
  });
});

describe("USER needs a real name", () => {
  // modern.ircdocs.horse: an empty <realname> is ERR_NEEDMOREPARAMS, as ngIRCd answers.
  test("USER with an empty real name is 461 and no welcome; a good USER then registers", async () => {
    t = await startTestServer();
    const c = await TestClient.connect(t.port);
    c.send("NICK alice");
    c.send("USER alice 0 * :");
    expect(await c.expect(/ 461 /)).toBe(":chat.server 461 alice USER :Not enough parameters");
    c.send("PING between");
    await c.expect(/PONG .*between/);
    expect(c.lines.some((l) => / 001 /.test(l))).toBe(false);
    c.send("USER alice 0 * :Alice");
    expect(await c.expect(/ 001 /)).toMatch(/^:chat\.server 001 alice :Welcome/);
    c.close();
  });
});

describe("KICK with several nicks", () => {
  // TARGMAX advertises KICK:4; InspIRCd and ngIRCd send one KICK line per victim.
  test("each victim gets its own KICK line; an absent nick is 441 in its place", async () => {
    const { a, b } = await pair("#k");
    const c = await t?.client("carol");
    if (c === undefined) throw new Error("no server");
    c.send("JOIN #k");
    await c.expect(/ 366 carol #k /);
    await a.expect(/:carol!\S+ JOIN #k$/);
    const from = a.lines.length;
    a.send("KICK #k bob,nobody,carol :out");
    const lines = (await sync(a, from)).filter((l) => !l.includes("PONG"));
    expect(lines.map((l) => l.replace(/^:alice!\S+ /, ":alice "))).toEqual([
      ":alice KICK #k bob :out",
      ":chat.server 441 alice nobody #k :They aren't on that channel",
      ":alice KICK #k carol :out",
    ]);
    expect(await b.expect(/ KICK #k /)).toMatch(/^:alice!\S+ KICK #k bob :out$/);
    expect(await c.expect(/ KICK #k bob/)).toMatch(/^:alice!\S+ KICK #k bob :out$/);
    expect(await c.expect(/ KICK #k carol/)).toMatch(/^:alice!\S+ KICK #k carol :out$/);
  });
});

describe("OPER answers in command order", () => {
  // The password check runs off the event loop; the client's later lines wait for it.
  test("failed and good OPERs, then PING and JOIN, are answered in the order sent", async () => {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const b = await t.client("bob");
    const from = b.lines.length;
    b.sendRaw("OPER root wrong\r\nOPER nobody pw\r\nOPER root pw\r\nPING after\r\nJOIN #o\r\n");
    await b.expect(/ 366 bob #o /);
    const lines = b.lines.slice(from).map((l) => l.replace(/^(:bob)!\S+/, "$1"));
    expect(lines.slice(0, 5)).toEqual([
      ":chat.server 464 bob :Password incorrect",
      // An unknown name is answered like a wrong password (as ngIRCd does): no name is revealed.
      ":chat.server 464 bob :Password incorrect",
      ":chat.server 381 bob :You are now an IRC operator",
      ":bob MODE bob :+o",
      ":chat.server PONG chat.server :after",
    ]);
    expect(lines[5]).toBe(":bob JOIN #o");
  });
});

describe("LUSERS", () => {
  // modern.ircdocs.horse: 251-255 and 265/266 with the current and the highest count.
  test("every numeric, with counts consistent with each other and the peak kept", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #l");
    await a.expect(/ 366 alice #l /);
    b.close();
    await b.waitClosed();
    await Bun.sleep(50);
    const from = a.lines.length;
    a.send("LUSERS");
    const lines = (await sync(a, from)).filter((l) => !l.includes("PONG"));
    expect(lines).toEqual([
      ":chat.server 251 alice :There are 1 users and 0 invisible on 1 servers",
      ":chat.server 252 alice 0 :operator(s) online",
      ":chat.server 253 alice 0 :unknown connection(s)",
      ":chat.server 254 alice 1 :channels formed",
      ":chat.server 255 alice :I have 1 clients and 0 servers",
      ":chat.server 265 alice 1 2 :Current local users 1, max 2",
      ":chat.server 266 alice 1 2 :Current global users 1, max 2",
    ]);
  });
});

describe("LUSERS right after a change", () => {
  test("an OPER, a +i and a departure show at once, not a second later", async () => {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const a = await t.client("alice");
    const b = await t.client("bob");
    const counts = async (): Promise<string[]> => {
      const from = a.lines.length;
      a.send("LUSERS");
      await a.expect(/ 266 alice /);
      return a.lines.slice(from).filter((l) => / 25[12] /.test(l));
    };
    expect(await counts()).toEqual([
      ":chat.server 251 alice :There are 2 users and 0 invisible on 1 servers",
      ":chat.server 252 alice 0 :operator(s) online",
    ]);
    b.send("OPER root pw");
    await b.expect(/ 381 bob /);
    a.send("MODE alice +i");
    await a.expect(/ MODE alice :?\+i$/);
    expect(await counts()).toEqual([
      ":chat.server 251 alice :There are 1 users and 1 invisible on 1 servers",
      ":chat.server 252 alice 1 :operator(s) online",
    ]);
    b.send("QUIT");
    await b.waitClosed();
    await Bun.sleep(20);
    expect(await counts()).toEqual([
      ":chat.server 251 alice :There are 0 users and 1 invisible on 1 servers",
      ":chat.server 252 alice 0 :operator(s) online",
    ]);
  });
});

describe("WHO and WHOIS show operators and away", () => {
  test("an away operator is G* in WHO and has 313 and 301 in WHOIS", async () => {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const a = await t.client("alice");
    const b = await t.client("bob");
    b.send("OPER root pw");
    await b.expect(/ 381 bob /);
    b.send("AWAY :lunch");
    await b.expect(/ 306 bob /);
    a.send("WHO bob");
    expect(await a.expect(/ 352 /)).toMatch(
      /^:chat\.server 352 alice \* \S+ \S+ chat\.server bob G\* :0 bob$/,
    );
    a.send("WHOIS bob");
    expect(await a.expect(/ 301 /)).toBe(":chat.server 301 alice bob :lunch");
    expect(await a.expect(/ 313 /)).toBe(":chat.server 313 alice bob :is an IRC operator");
    await a.expect(/ 318 alice bob /);
  });
});
