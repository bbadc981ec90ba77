import { afterEach, describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("registration", () => {
  test("welcome burst 001-005 with a truthful ISUPPORT, LUSERS and MOTD", async () => {
    t = await startTestServer({ motd: "be nice" });
    const c = await TestClient.connect(t.port);
    c.send("NICK alice");
    c.send("USER alice 0 * :Alice A");
    expect(await c.expect(/ 001 alice :Welcome/)).toContain("alice!~alice@127.0.0.1");
    await c.expect(/ 002 alice /);
    await c.expect(/ 003 alice /);
    await c.expect(/ 004 alice \S+ \S+ Biow CIbeiklmnopstv :?Ibeklov$/);
    const isupport = `${await c.expect(/ 005 alice /)} ${await c.expect(/ 005 alice /)}`;
    expect(isupport).toContain("CASEMAPPING=rfc1459");
    expect(isupport).toContain("PREFIX=(ov)@+");
    expect(isupport).toContain("CHANMODES=beI,k,l,Cimnpst");
    await c.expect(/ 251 alice :There are 1 users and 0 invisible/);
    await c.expect(/ 375 alice /);
    await c.expect(/ 372 alice :- be nice/);
    await c.expect(/ 376 alice /);
  });

  test("CAP LS 302, REQ and END gate registration", async () => {
    t = await startTestServer();
    const c = await TestClient.connect(t.port);
    c.send("CAP LS 302");
    const ls = await c.expect(/ CAP \* LS /);
    for (const cap of ["message-tags", "server-time", "echo-message", "batch", "multi-prefix"]) {
      expect(ls).toContain(cap);
    }
    c.send("NICK bob");
    c.send("USER bob 0 * :Bob");
    // Registration waits for CAP END: the PONG comes, no 001 before it.
    c.send("PING wait");
    expect(await c.expect(/ (PONG|001) /)).toContain("PONG");
    c.send("CAP REQ :server-time bogus-cap");
    await c.expect(/ CAP bob NAK :server-time bogus-cap/);
    c.send("CAP REQ :server-time echo-message");
    await c.expect(/ CAP bob ACK :server-time echo-message/);
    c.send("CAP END");
    await c.expect(/ 001 bob /);
  });

  test("CAP LIST shows what this client enabled, not another's; -cap removes it; unknown names are refused", async () => {
    t = await startTestServer();
    const a = await TestClient.connect(t.port);
    const b = await TestClient.connect(t.port);
    a.send("CAP REQ :server-time echo-message batch");
    await a.expect(/ CAP \* ACK :server-time echo-message batch/);
    b.send("CAP REQ :multi-prefix");
    await b.expect(/ CAP \* ACK :multi-prefix/);
    a.send("CAP REQ :-echo-message");
    await a.expect(/ CAP \* ACK :-echo-message/);
    // An inherited property name of a JS object is no capability.
    a.send("CAP REQ :toString");
    await a.expect(/ CAP \* NAK :toString/);
    a.send("CAP LIST");
    const listA = (await a.expect(/ CAP \* LIST /)).split(" LIST :")[1] ?? "";
    expect(listA.split(" ").sort()).toEqual(["batch", "server-time"]);
    b.send("CAP LIST");
    expect(await b.expect(/ CAP \* LIST /)).toMatch(/ LIST :multi-prefix$/);
  });

  test("wrong server password gets 464 and is disconnected; the right one works", async () => {
    t = await startTestServer({ password: "sesame" });
    const bad = await TestClient.connect(t.port);
    bad.send("PASS nope");
    bad.send("NICK mallory");
    bad.send("USER m 0 * :M");
    await bad.expect(/ 464 \S+ :Password incorrect/);
    await bad.expect(/^ERROR /);
    await bad.waitClosed();
    const good = await TestClient.connect(t.port);
    await good.register("carol", { password: "sesame" });
  });

  test("commands before registration get 451; unknown commands get 421", async () => {
    t = await startTestServer();
    const c = await TestClient.connect(t.port);
    c.send("JOIN #x");
    await c.expect(/ 451 \* :You have not registered/);
    await c.register("dave");
    c.send("FROBNICATE now");
    await c.expect(/ 421 dave FROBNICATE :Unknown command/);
    c.send("JOIN");
    await c.expect(/ 461 dave JOIN :Not enough parameters/);
  });

  test("nick in use gets 433, invalid nick gets 432", async () => {
    t = await startTestServer();
    await t.client("erin");
    const c = await TestClient.connect(t.port);
    c.send("NICK ERIN");
    await c.expect(/ 433 \* ERIN :Nickname is already in use/);
    c.send("NICK 9lives");
    await c.expect(/ 432 \* 9lives :Erroneous nickname/);
    c.send("NICK erin2");
    c.send("USER e 0 * :E");
    await c.expect(/ 001 erin2 /);
  });

  test("PING gets PONG with the token", async () => {
    t = await startTestServer();
    const c = await t.client("pinger");
    c.send("PING :abc 123");
    await c.expect(/ PONG \S+ :abc 123$/);
  });
});

describe("rooms and messages", () => {
  test("two users join a room and exchange a non-ASCII message", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #lobby");
    await a.expect(/^:alice!\S+ JOIN #lobby$/);
    await a.expect(/ 353 alice = #lobby :@alice$/);
    await a.expect(/ 366 alice #lobby /);
    b.send("JOIN #Lobby");
    await b.expect(/ 353 bob = #lobby :@alice bob$/);
    await a.expect(/^:bob!\S+ JOIN #lobby$/);
    b.send("PRIVMSG #lobby :héllo wörld ✓ 日本");
    await a.expect(/^:bob!~bob@127\.0\.0\.1 PRIVMSG #lobby :héllo wörld ✓ 日本$/);
    // The sender does not get its own message back without echo-message.
    b.send("PING sync");
    expect(await b.expect(/(PONG|héllo)/)).toContain("PONG");
  });

  test("private messages, 401 for unknown nicks, NOTICE never errors", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("PRIVMSG Bob :psst");
    await b.expect(/^:alice!\S+ PRIVMSG bob :psst$/);
    a.send("PRIVMSG nobody :hello?");
    await a.expect(/ 401 alice nobody :No such nick/);
    a.send("NOTICE nobody :hello?");
    a.send("PING done");
    const next = await a.expect(/ (PONG|401) /);
    expect(next).toContain("PONG");
  });

  test("server-time and message-tags clients get time and msgid; echo-message echoes", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["server-time", "message-tags", "echo-message"] });
    const b = await t.client("bob");
    a.send("JOIN #t");
    b.send("JOIN #t");
    await a.expect(/JOIN #t$/);
    await b.expect(/JOIN #t$/);
    b.send("PRIVMSG #t :tagged");
    const got = await a.expect(/PRIVMSG #t :tagged$/);
    expect(got).toMatch(/^@time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z;msgid=\S+ :bob!/);
    a.send("@+draft/react=x PRIVMSG #t :mine");
    const echo = await a.expect(/PRIVMSG #t :mine$/);
    expect(echo).toContain("msgid=");
    expect(echo).toContain("+draft/react=x");
    // bob has no caps: no tags at all.
    expect(await b.expect(/PRIVMSG #t :mine$/)).toMatch(/^:alice!/);
  });

  test("NICK change is seen by everyone sharing a room, and by the user", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #n");
    b.send("JOIN #n");
    await a.expect(/:bob!\S+ JOIN #n/);
    b.send("NICK robert");
    await b.expect(/^:bob!\S+ NICK :?robert$/);
    await a.expect(/^:bob!\S+ NICK :?robert$/);
    a.send("PRIVMSG robert :hi");
    await b.expect(/PRIVMSG robert :hi$/);
  });

  test("TOPIC set and read, +t refuses non-operators, NAMES lists prefixes", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #top");
    await a.expect(/ 366 alice #top/);
    a.send("TOPIC #top :Welcome all");
    await a.expect(/^:alice!\S+ TOPIC #top :Welcome all$/);
    b.send("JOIN #top");
    await b.expect(/ 332 bob #top :Welcome all$/);
    await b.expect(/ 333 bob #top alice!\S+ :?\d+$/);
    b.send("TOPIC #top :mine now");
    await b.expect(/ 482 bob #top :You're not channel operator/);
    b.send("TOPIC #top");
    await b.expect(/ 332 bob #top :Welcome all$/);
    b.send("NAMES #top");
    await b.expect(/ 353 bob = #top :@alice bob$/);
  });

  test("PART and QUIT are seen by the room", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #p");
    b.send("JOIN #p");
    await a.expect(/:bob!\S+ JOIN #p/);
    b.send("PART #p :later");
    await a.expect(/^:bob!\S+ PART #p :later$/);
    await b.expect(/^:bob!\S+ PART #p :later$/);
    b.send("JOIN #p");
    await a.expect(/:bob!\S+ JOIN #p/);
    b.send("QUIT :gone fishing");
    await a.expect(/^:bob!\S+ QUIT :Quit: gone fishing$/);
    await b.expect(/^ERROR :/);
    await b.waitClosed();
    b.close();
  });

  test("a 2 MB burst of input is read whole and relayed in order (flood limit off)", async () => {
    // Reader and server share this process, so bob may fall 2 MB behind: the test
    // is about reading input whole, not the send-queue cap (limits.test.ts has that).
    t = await startTestServer({ limits: { floodLimit: false, sendQBytes: 16 * 1024 * 1024 } });
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #big");
    b.send("JOIN #big");
    await a.expect(/:bob!\S+ JOIN #big$/);
    const pad = "p".repeat(400);
    let burst = "";
    for (let i = 0; i < 5000; i++) burst += `PRIVMSG #big :${i} ${pad}\r\n`;
    a.sendRaw(burst);
    await b.expect(/PRIVMSG #big :4999 /, 15_000);
    const got = b.lines
      .filter((l) => l.includes(" PRIVMSG #big :"))
      .map((l) => Number(l.split(":")[2]?.split(" ")[0]));
    expect(got.length).toBe(5000);
    expect(got.every((n, i) => n === i)).toBe(true);
  }, 30_000);

  test("history: a new joiner gets the last lines in a chathistory batch", async () => {
    t = await startTestServer({ limits: { floodLimit: false } });
    const a = await t.client("alice");
    a.send("JOIN #h");
    await a.expect(/ 366 alice #h/);
    for (let i = 1; i <= 25; i++) a.send(`PRIVMSG #h :line ${i}`);
    a.send("PING sync");
    await a.expect("PONG");
    const b = await t.client("bob", { caps: ["batch", "server-time"] });
    b.send("JOIN #h");
    const start = await b.expect(/ BATCH \+(\S+) chathistory #h$/);
    const id = /BATCH \+(\S+)/.exec(start)?.[1];
    const first = await b.expect(/PRIVMSG #h :line/);
    expect(first).toContain(`batch=${id}`);
    expect(first).toContain("time=");
    expect(first).toEndWith(":line 6");
    await b.expect(/PRIVMSG #h :line 25$/);
    await b.expect(` BATCH -${id}`);
  });
});
