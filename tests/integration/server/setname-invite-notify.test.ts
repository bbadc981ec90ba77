/**
 * IRCv3 setname, invite-notify and standard-replies, and CAP REQ/LIST as
 * clients use them to switch capabilities on and off (cap-notify implied by 302).
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { joinRoom, linesSince, offeredCaps } from "../../helpers/wire.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const since = linesSince;

const inRoom = joinRoom;

async function whoisRealname(c: TestClient, nick: string): Promise<string> {
  c.send(`WHOIS ${nick}`);
  const line = await c.expect(new RegExp(` 311 \\S+ ${nick} `));
  return line.slice(line.indexOf(" :") + 2);
}

test("CAP LS offers each capability added for issue 12", async () => {
  t = await startTestServer();
  const caps = await offeredCaps(t);
  const added = [
    "labeled-response",
    "standard-replies",
    "setname",
    "invite-notify",
    "draft/event-playback",
    "draft/message-redaction",
    "draft/channel-rename",
  ];
  for (const cap of added) expect(caps).toContain(cap);
  // No host ever changes here (it is the peer's address), so chghost is not offered.
  expect(caps).not.toContain("chghost");
});
describe("setname", () => {
  test("the user and room-mates with setname see SETNAME; others do not; WHOIS follows", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["setname"] });
    const b = await t.client("bob", { caps: ["setname"] });
    const c = await t.client("carol");
    for (const x of [a, b, c]) await inRoom(x, "#r");
    await inRoom(b, "#s");
    await inRoom(a, "#s");
    const fromB = b.lines.length;
    const fromC = c.lines.length;
    a.send("SETNAME :Alice Liddell");
    expect(await a.expect(/SETNAME/)).toBe(":alice!~alice@127.0.0.1 SETNAME :Alice Liddell");
    // Once, though bob shares two rooms with alice.
    expect((await since(b, fromB)).filter((l) => l.includes("SETNAME"))).toEqual([
      ":alice!~alice@127.0.0.1 SETNAME :Alice Liddell",
    ]);
    expect(await since(c, fromC)).toEqual([]);
    expect(await whoisRealname(c, "alice")).toBe("Alice Liddell");
  });

  test("a client without the capability may still change its name, and is not sent the line", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const from = a.lines.length;
    a.send("SETNAME :Plain Alice");
    expect(await since(a, from)).toEqual([]);
    expect(await whoisRealname(a, "alice")).toBe("Plain Alice");
  });

  test("an empty or overlong name is FAIL INVALID_REALNAME and changes nothing", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["setname"], realname: "Original" });
    const b = await t.client("bob", { caps: ["setname"] });
    await inRoom(a, "#r");
    await inRoom(b, "#r");
    const fromB = b.lines.length;
    let from = a.lines.length;
    a.send("SETNAME :");
    expect(await since(a, from)).toEqual([
      ":chat.server FAIL SETNAME INVALID_REALNAME :Real name must be 1 to 128 bytes",
    ]);
    from = a.lines.length;
    a.send(`SETNAME :${"é".repeat(65)}`);
    expect(await since(a, from)).toEqual([
      ":chat.server FAIL SETNAME INVALID_REALNAME :Real name must be 1 to 128 bytes",
    ]);
    from = a.lines.length;
    a.send("SETNAME");
    expect(await since(a, from)).toEqual([":chat.server 461 alice SETNAME :Not enough parameters"]);
    expect(await whoisRealname(a, "alice")).toBe("Original");
    expect((await since(b, fromB)).filter((l) => l.includes("SETNAME"))).toEqual([]);
    // Exactly the limit is fine.
    a.send(`SETNAME :${"x".repeat(128)}`);
    await a.expect(/ SETNAME :x{128}$/);
  });

  test("before registration SETNAME is 451", async () => {
    t = await startTestServer();
    const { TestClient } = await import("../../helpers/irc-client.ts");
    const c = await TestClient.connect(t.port);
    c.send("SETNAME :Early");
    await c.expect(/^:chat\.server 451 \* :You have not registered$/);
    c.close();
  });
});

describe("invite-notify", () => {
  test("room members with invite-notify see the INVITE; the inviter and others do not", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["invite-notify"] });
    const b = await t.client("bob", { caps: ["invite-notify"] });
    const c = await t.client("carol");
    const d = await t.client("dave");
    for (const x of [a, b, c]) await inRoom(x, "#r");
    a.send("MODE #r +i");
    await b.expect(/ MODE #r \+i$/);
    await a.expect(/ MODE #r \+i$/);
    await c.expect(/ MODE #r \+i$/);
    const fromA = a.lines.length;
    const fromC = c.lines.length;
    a.send("INVITE dave #r");
    expect(await d.expect(/INVITE/)).toBe(":alice!~alice@127.0.0.1 INVITE dave #r");
    expect(await b.expect(/INVITE/)).toBe(":alice!~alice@127.0.0.1 INVITE dave #r");
    expect(await since(a, fromA)).toEqual([":chat.server 341 alice dave :#r"]);
    expect(await since(c, fromC)).toEqual([]);
    // The invitation works: dave gets into the +i room.
    d.send("JOIN #r");
    await d.expect(/ 366 dave #r /);
  });

  test("a refused INVITE notifies nobody", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["invite-notify"] });
    const b = await t.client("bob", { caps: ["invite-notify"] });
    await t.client("dave");
    await inRoom(a, "#r");
    await inRoom(b, "#r");
    a.send("MODE #r +i");
    await b.expect(/ MODE #r \+i$/);
    const fromB = b.lines.length;
    b.send("INVITE dave #r"); // bob is no operator in a +i room
    await b.expect(/ 482 bob #r /);
    expect((await since(b, fromB)).filter((l) => l.includes("INVITE"))).toEqual([]);
  });
});

describe("CAP REQ and LIST", () => {
  test("CAP REQ -cap turns a capability off again", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["echo-message", "server-time"] });
    await inRoom(a, "#r");
    a.send("PRIVMSG #r :one");
    await a.expect(/ PRIVMSG #r :one$/);
    a.send("CAP REQ :-echo-message");
    expect(await a.expect(/ CAP /)).toBe(":chat.server CAP alice ACK :-echo-message");
    a.send("CAP LIST");
    expect(await a.expect(/ CAP alice LIST /)).toBe(
      ":chat.server CAP alice LIST :server-time cap-notify",
    );
    const from = a.lines.length;
    a.send("PRIVMSG #r :two");
    expect(await since(a, from)).toEqual([]);
  });

  test("a REQ naming an unknown capability is NAKed as a whole and changes nothing", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["server-time"] });
    a.send("CAP REQ :-server-time frobnicate");
    expect(await a.expect(/ CAP /)).toBe(":chat.server CAP alice NAK :-server-time frobnicate");
    a.send("CAP LIST");
    expect(await a.expect(/ CAP alice LIST /)).toBe(
      ":chat.server CAP alice LIST :server-time cap-notify",
    );
  });

  test("CAP LS 302 implies cap-notify", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["setname"] });
    a.send("CAP LIST");
    const list = (await a.expect(/ CAP alice LIST /)).split(/[ :]+/);
    expect(list).toContain("cap-notify");
    expect(list).toContain("setname");
  });

  // Capability negotiation: "servers MUST NOT disable the cap-notify capability
  // if the client requests CAP LS with a version of 302 or newer", and a REQ is
  // accepted or rejected as a whole.
  test("after CAP LS 302, CAP REQ -cap-notify is NAKed and changes nothing", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["server-time"] });
    a.send("CAP REQ :-server-time -cap-notify");
    expect(await a.expect(/ CAP /)).toBe(":chat.server CAP alice NAK :-server-time -cap-notify");
    a.send("CAP LIST");
    expect(await a.expect(/ CAP alice LIST /)).toBe(
      ":chat.server CAP alice LIST :server-time cap-notify",
    );
  });
});
