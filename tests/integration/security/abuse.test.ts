/**
 * Abuse limits added by issue 6, each refusal checked for a clear message and
 * for having no effect: nick-change rate, join/part rate, rooms per user, and
 * members listed per reply (IRC and plain-text users).
 */
import { describe, expect, test } from "bun:test";
import type { Limits } from "../../../src/core/limits.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { freedAfterEach } from "./helpers.ts";

const live = freedAfterEach();

async function server(limits: Partial<Limits>, plain = false): Promise<TestServer> {
  live.server = await startTestServer(plain ? { limits, plainFront: undefined } : { limits });
  return live.server;
}

describe("nick changes", () => {
  test("past the rate the change is refused with 438 and how long to wait; the room sees no change", async () => {
    const s = await server({ nickChangeMax: 2, nickChangeWindowMs: 60_000 });
    const a = await s.client("alice");
    const b = await s.client("bob");
    for (const c of [a, b]) {
      c.send("JOIN #n");
      await c.expect(/ 366 /);
    }
    a.send("NICK alice2");
    await b.expect(/^:alice!\S+ NICK :?alice2$/);
    a.send("NICK alice3");
    await b.expect(/^:alice2!\S+ NICK :?alice3$/);
    a.send("NICK alice4");
    const refusal = await a.expect(/ 438 /);
    expect(refusal).toMatch(/ 438 alice3 alice4 :Nick change too fast: wait \d+ seconds?/);
    b.send("WHOIS alice3");
    await b.expect(/ 311 bob alice3 /);
    b.send("WHOIS alice4");
    await b.expect(/ 401 bob alice4 /);
  });

  test("choosing the first nick while registering does not count", async () => {
    const s = await server({ nickChangeMax: 1, nickChangeWindowMs: 60_000 });
    const c = await TestClient.connect(s.port);
    live.clients.push(c);
    c.send("NICK one");
    c.send("NICK two");
    c.send("NICK three");
    c.send("USER u 0 * :u");
    await c.expect(/ 001 three /);
    c.send("NICK four");
    await c.expect(/NICK :?four$/);
    c.send("NICK five");
    await c.expect(/ 438 four five /);
  });

  test("a plain-text user gets the refusal as a readable line", async () => {
    const s = await server({ nickChangeMax: 1, nickChangeWindowMs: 60_000 }, true);
    const c = await TestClient.connect(s.port);
    live.clients.push(c);
    c.send("zed"); // not IRC: the server treats us as a human, and this is the nickname
    await c.expect("*** Hello zed!");
    await c.expect("You are in #lobby now");
    c.send("/nick zed2");
    await c.expect(/zed2/);
    c.send("/nick zed3");
    await c.expect(/Nick change too fast: wait \d+ seconds? before changing your nick again/);
  });
});

describe("joining and parting", () => {
  test("past the rate JOIN and PART are refused with 439 and the wait", async () => {
    const s = await server({ joinPartMax: 3, joinPartWindowMs: 60_000 });
    const c = await s.client("hopper");
    c.send("JOIN #a");
    await c.expect(/JOIN #a$/);
    c.send("PART #a");
    await c.expect(/PART #a/);
    c.send("JOIN #b");
    await c.expect(/JOIN #b$/);
    c.send("JOIN #c");
    await c.expect(
      / 439 hopper #c :Joining and parting too fast: wait \d+ seconds? before joining or leaving #c/,
    );
    c.send("PART #b");
    await c.expect(/ 439 hopper #b /);
    // Still in #b, never got into #c.
    c.send("WHOIS hopper");
    await c.expect(/ 319 hopper hopper :?@#b$/);
  });

  test("a user may be in at most maxChannelsPerUser rooms (405)", async () => {
    const s = await server({ maxChannelsPerUser: 2 });
    const c = await s.client("collector");
    c.send("JOIN #one,#two");
    await c.expect(/JOIN #two$/);
    c.send("JOIN #three");
    await c.expect(/ 405 collector #three :You have joined too many channels/);
  });
});

describe("members listed per reply", () => {
  test("NAMES and WHO list at most maxListMembers and say how many were left out", async () => {
    const s = await server({ maxListMembers: 3 });
    const users = [];
    for (const n of ["u1", "u2", "u3", "u4", "u5"]) {
      const c = await s.client(n);
      c.send("JOIN #big");
      await c.expect(/ 366 /);
      users.push(c);
    }
    const last = users[4] as TestClient;
    last.send("NAMES #big");
    await last.expect(/NOTICE u5 :#big has 5 members; only the first 3 are listed/);
    const names = await last.expect(/ 353 u5 = #big :/);
    expect(names.split(":").pop()?.trim().split(" ")).toHaveLength(3);
    await last.expect(/ 366 u5 #big /);
    last.send("WHO #big");
    await last.expect(/NOTICE u5 :#big has 5 members; only the first 3 are listed/);
    await last.expect(/ 315 u5 #big /);
    const whoLines = last.lines.filter((l) => / 352 u5 #big /.test(l));
    expect(whoLines).toHaveLength(3);
  });
});
