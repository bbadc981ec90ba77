import { afterEach, describe, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** alice creates `room` (so she is operator), then bob joins. */
async function pair(room: string, bobCaps?: string[]) {
  t = await startTestServer();
  const a = await t.client("alice");
  const b = await t.client("bob", bobCaps ? { caps: bobCaps } : {});
  a.send(`JOIN ${room}`);
  await a.expect(new RegExp(` 366 alice ${room} `));
  b.send(`JOIN ${room}`);
  await b.expect(new RegExp(` 366 bob ${room} `));
  await a.expect(new RegExp(`:bob!\\S+ JOIN ${room}$`));
  return { a, b };
}

/** Round-trip a PING so every earlier reply has arrived. */
async function sync(c: TestClient): Promise<string[]> {
  c.send("PING sync");
  await c.expect("PONG");
  return c.lines;
}

describe("channel operators and modes", () => {
  test("MODE shows modes and creation time; +o and +v are seen by the room", async () => {
    const { a, b } = await pair("#m");
    a.send("MODE #m");
    await a.expect(/ 324 alice #m :\+nt$/);
    await a.expect(/ 329 alice #m :\d+$/);
    a.send("MODE #m +v bob");
    await b.expect(/^:alice!\S+ MODE #m \+v :?bob$/);
    a.send("MODE #m +o bob");
    await b.expect(/^:alice!\S+ MODE #m \+o :?bob$/);
    a.send("NAMES #m");
    await a.expect(/ 353 alice = #m :@alice @bob$/);
    b.send("MODE #m -o alice");
    await a.expect(/^:bob!\S+ MODE #m -o :?alice$/);
    a.send("MODE #m +t");
    await a.expect(/ 482 alice #m :You're not channel operator/);
    a.send("MODE #m +o nobody");
    a.send("MODE #m +z");
  });

  test("+m: only voiced and operators speak; +n: outsiders cannot send", async () => {
    const { a, b } = await pair("#mod");
    a.send("MODE #mod +m");
    await b.expect(/MODE #mod \+m$/);
    b.send("PRIVMSG #mod :can I talk?");
    await b.expect(/ 404 bob #mod :Cannot send to channel/);
    a.send("MODE #mod +v bob");
    await b.expect(/MODE #mod \+v :?bob$/);
    b.send("PRIVMSG #mod :now I can");
    await a.expect(/PRIVMSG #mod :now I can$/);
    const c = await (t as TestServer).client("carol");
    c.send("PRIVMSG #mod :from outside");
    await c.expect(/ 404 carol #mod /);
  });

  test("+k key and +l limit refuse joins with 475 and 471", async () => {
    const { a } = await pair("#k");
    a.send("MODE #k +kl s3cret 2");
    await a.expect(/MODE #k \+kl s3cret :?2$/);
    const c = await (t as TestServer).client("carol");
    c.send("JOIN #k");
    await c.expect(/ 475 carol #k :Cannot join channel \(\+k\)/);
    c.send("JOIN #k s3cret");
    await c.expect(/ 471 carol #k :Cannot join channel \(\+l\)/);
    a.send("MODE #k -l");
    await a.expect(/MODE #k :?-l$/);
    c.send("JOIN #k s3cret");
    await c.expect(/^:carol!\S+ JOIN #k$/);
    a.send("MODE #k +l abc");
    await a.expect(/ 696 alice #k l abc /);
  });

  test("+i invite-only with INVITE; +b bans; KICK removes a member", async () => {
    const { a, b } = await pair("#i");
    a.send("MODE #i +i");
    await a.expect(/MODE #i \+i$/);
    const c = await (t as TestServer).client("carol");
    c.send("JOIN #i");
    await c.expect(/ 473 carol #i :Cannot join channel \(\+i\)/);
    b.send("INVITE carol #i");
    await b.expect(/ 482 bob #i /);
    a.send("INVITE carol #i");
    await a.expect(/ 341 alice carol :#i$/);
    await c.expect(/^:alice!\S+ INVITE carol :?#i$/);
    c.send("JOIN #i");
    await c.expect(/^:carol!\S+ JOIN #i$/);
    a.send("KICK #i carol :behave");
    await c.expect(/^:alice!\S+ KICK #i carol :behave$/);
    await b.expect(/^:alice!\S+ KICK #i carol :behave$/);
    a.send("MODE #i -i");
    a.send("MODE #i +b carol");
    await a.expect(/MODE #i \+b :?carol!\*@\*$/);
    c.send("JOIN #i");
    await c.expect(/ 474 carol #i :Cannot join channel \(\+b\)/);
    a.send("MODE #i b");
    await a.expect(/ 367 alice #i carol!\*@\* alice!\S+ :?\d+$/);
    await a.expect(/ 368 alice #i /);
    b.send("KICK #i alice");
    await b.expect(/ 482 bob #i /);
    a.send("KICK #i nobody");
    await a.expect(/ 441 alice nobody #i /);
  });

  test("an invite follows its user through a nick change and dies when they leave", async () => {
    const { a } = await pair("#inv");
    a.send("MODE #inv +i");
    await a.expect(/MODE #inv \+i$/);
    const c = await (t as TestServer).client("carol");
    a.send("INVITE carol #inv");
    await c.expect(/INVITE carol :?#inv$/);
    c.send("NICK carla");
    await c.expect(/NICK :?carla$/);
    // Someone else taking the invited nick gets nothing.
    const m = await (t as TestServer).client("carol");
    m.send("JOIN #inv");
    await m.expect(/ 473 carol #inv /);
    c.send("JOIN #inv");
    await c.expect(/^:carla!\S+ JOIN #inv$/);
    // A fresh invite is dropped when its holder quits.
    a.send("INVITE carol #inv");
    await m.expect(/INVITE carol :?#inv$/);
    m.send("QUIT");
    await m.waitClosed();
    const n = await (t as TestServer).client("carol");
    n.send("JOIN #inv");
    await n.expect(/ 473 carol #inv /);
  });

  test("LIST shows rooms with user counts and topics", async () => {
    const { a } = await pair("#l");
    a.send("TOPIC #l :the topic");
    a.send("LIST");
    await a.expect(/ 321 alice /);
    await a.expect(/ 322 alice #l 2 :the topic$/);
    await a.expect(/ 323 alice /);
  });
});

describe("users", () => {
  test("AWAY: 306/305, RPL_AWAY to senders, away-notify to room members", async () => {
    const { a, b } = await pair("#aw", ["away-notify"]);
    a.send("AWAY :lunch");
    await a.expect(/ 306 alice /);
    await b.expect(/^:alice!\S+ AWAY :lunch$/);
    b.send("PRIVMSG alice :you there?");
    await b.expect(/ 301 bob alice :?lunch$/);
    a.send("AWAY");
    await a.expect(/ 305 alice /);
    await b.expect(/^:alice!\S+ AWAY$/);
    // Someone away who joins is announced as away to away-notify room-mates.
    const c = await (t as TestServer).client("carol");
    c.send("AWAY :brb");
    await c.expect(/ 306 carol /);
    c.send("JOIN #aw");
    await b.expect(/^:carol!\S+ JOIN #aw$/);
    await b.expect(/^:carol!\S+ AWAY :brb$/);
  });

  test("WHO, WHOIS and WHOWAS", async () => {
    const { a, b } = await pair("#w");
    a.send("WHO #w");
    await a.expect(/ 352 alice #w ~alice 127\.0\.0\.1 \S+ alice H@ :0 alice$/);
    await a.expect(/ 352 alice #w ~bob 127\.0\.0\.1 \S+ bob H :0 bob$/);
    await a.expect(/ 315 alice #w /);
    a.send("WHOIS bob");
    await a.expect(/ 311 alice bob ~bob 127\.0\.0\.1 \* :?bob$/);
    await a.expect(/ 319 alice bob :?#w$/);
    await a.expect(/ 317 alice bob \d+ \d+ /);
    await a.expect(/ 318 alice bob /);
    a.send("WHOIS ghost");
    await a.expect(/ 401 alice ghost /);
    b.send("QUIT");
    await a.expect(/:bob!\S+ QUIT/);
    a.send("WHOWAS bob");
    await a.expect(/ 314 alice bob ~bob 127\.0\.0\.1 \* :?bob$/);
    await a.expect(/ 369 alice bob /);
    a.send("WHOWAS neverwas");
    await a.expect(/ 406 alice neverwas /);
  });

  test("user modes: +i and 221; other users' modes are refused with 502", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    await t.client("bob");
    a.send("MODE alice +i");
    await a.expect(/^:alice!\S+ MODE alice :?\+i$/);
    a.send("MODE alice");
    await a.expect(/ 221 alice :?\+i$/);
    a.send("MODE bob +i");
    await a.expect(/ 502 alice /);
    a.send("MODE alice +x");
    await a.expect(/ 501 alice /);
    // LUSERS counts exactly: bob visible, alice invisible, nobody unregistered.
    const c = await (t as TestServer).client("carol");
    c.send("LUSERS");
    await c.expect(/ 251 carol :There are \d users and \d invisible/);
    await c.expect(/ 253 carol 0 /);
    await c.expect(/ 255 carol :I have 3 clients/);
  });

  test("multiple targets: PRIVMSG a,b and JOIN with keys", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    const c = await t.client("carol");
    a.send("PRIVMSG bob,carol,nobody :to all");
    await b.expect(/PRIVMSG bob :to all$/);
    await c.expect(/PRIVMSG carol :to all$/);
    await a.expect(/ 401 alice nobody /);
    a.send("JOIN #one,#two");
    await a.expect(/JOIN #one$/);
    await a.expect(/JOIN #two$/);
    a.send("PRIVMSG #a,#b,#c,#d,#e :too many");
    await a.expect(/ 407 alice /);
  });

  test("TAGMSG relays client tags to message-tags clients only", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["message-tags"] });
    const b = await t.client("bob", { caps: ["message-tags"] });
    const c = await t.client("carol");
    for (const x of [a, b, c]) x.send("JOIN #tm");
    await c.expect(/ 366 carol #tm /);
    await b.expect(/:carol!\S+ JOIN #tm$/);
    a.send("@+typing=active TAGMSG #tm");
    const got = await b.expect(/ TAGMSG #tm$/);
    expect(got).toMatch(/^@msgid=\S+;\+typing=active :alice!\S+ TAGMSG #tm$/);
    a.send("PRIVMSG #tm :marker");
    // carol (no message-tags) gets the PRIVMSG but never the TAGMSG before it.
    expect(await c.expect(/ (TAGMSG|PRIVMSG) #tm/)).toContain("PRIVMSG #tm :marker");
  });

  test("multi-prefix and userhost-in-names change NAMES and WHO", async () => {
    const { a, b } = await pair("#mp", ["multi-prefix", "userhost-in-names"]);
    a.send("MODE #mp +v alice");
    await b.expect(/MODE #mp \+v :?alice$/);
    b.send("NAMES #mp");
    await b.expect(/ 353 bob = #mp :@\+alice!~alice@127\.0\.0\.1 bob!~bob@127\.0\.0\.1$/);
    b.send("WHO #mp");
    await b.expect(/ 352 bob #mp ~alice \S+ \S+ alice H@\+ /);
    await sync(b);
  });
});
