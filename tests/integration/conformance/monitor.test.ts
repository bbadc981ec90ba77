/**
 * Issue 12, point 3: MONITOR (730-734, ISUPPORT MONITOR=N) and
 * extended-monitor, with raw clients and exact lines.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { ask } from "./wire.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("MONITOR", () => {
  test("ISUPPORT advertises MONITOR with the list size", async () => {
    t = await startTestServer({ limits: { maxMonitor: 7 } });
    const c = await TestClient.connect(t.port);
    c.send("NICK alice");
    c.send("USER alice 0 * :Alice");
    await c.expect(/ 005 alice .*MONITOR=7 /);
    c.close();
  });

  test("+ answers 730 for online and 731 for offline nicks", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    await t.client("bob");
    expect(await ask(a, "MONITOR + bob,carol")).toEqual([
      ":chat.server 730 alice :bob!~bob@127.0.0.1",
      ":chat.server 731 alice :carol",
    ]);
  });

  test("a watched nick coming, changing and leaving is reported", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    a.send("MONITOR + carol,dave");
    await a.expect(/ 731 alice :carol,dave$/);
    const c = await t.client("carol");
    await a.expect(/^:chat\.server 730 alice :carol!~carol@127\.0\.0\.1$/);
    c.send("NICK dave");
    await a.expect(/^:chat\.server 731 alice :carol$/);
    await a.expect(/^:chat\.server 730 alice :dave!~carol@127\.0\.0\.1$/);
    c.send("QUIT :bye");
    await a.expect(/^:chat\.server 731 alice :dave$/);
  });

  test("L lists, S gives status, - removes, C clears", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    await t.client("bob");
    await ask(a, "MONITOR + bob,carol");
    expect(await ask(a, "MONITOR L")).toEqual([
      ":chat.server 732 alice :bob,carol",
      ":chat.server 733 alice :End of MONITOR list",
    ]);
    expect(await ask(a, "MONITOR S")).toEqual([
      ":chat.server 730 alice :bob!~bob@127.0.0.1",
      ":chat.server 731 alice :carol",
    ]);
    expect(await ask(a, "MONITOR - bob")).toEqual([]);
    expect(await ask(a, "MONITOR L")).toEqual([
      ":chat.server 732 alice :carol",
      ":chat.server 733 alice :End of MONITOR list",
    ]);
    expect(await ask(a, "MONITOR C")).toEqual([]);
    expect(await ask(a, "MONITOR L")).toEqual([":chat.server 733 alice :End of MONITOR list"]);
  });

  test("past the limit: 734 names the targets not added; the rest are watched", async () => {
    t = await startTestServer({ limits: { maxMonitor: 2 } });
    const a = await t.client("alice");
    expect(await ask(a, "MONITOR + b1,b2,b3,b4")).toEqual([
      ":chat.server 731 alice :b1,b2",
      ":chat.server 734 alice 2 b3,b4 :Monitor list is full.",
    ]);
    expect((await ask(a, "MONITOR L"))[0]).toBe(":chat.server 732 alice :b1,b2");
  });

  test("bad input: a missing target list is 461, an unknown subcommand 400; nothing changes", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(await ask(a, "MONITOR")).toEqual([
      ":chat.server 461 alice MONITOR :Not enough parameters",
    ]);
    expect(await ask(a, "MONITOR +")).toEqual([
      ":chat.server 461 alice MONITOR :Not enough parameters",
    ]);
    expect(await ask(a, "MONITOR X bob")).toEqual([
      ":chat.server 400 alice MONITOR X :Unknown MONITOR subcommand",
    ]);
    expect(await ask(a, "MONITOR L")).toEqual([":chat.server 733 alice :End of MONITOR list"]);
  });

  test("a disconnected watcher's list is gone: nothing is sent for it", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    await ask(a, "MONITOR + carol");
    a.send("QUIT");
    await a.waitClosed();
    const c = await t.client("carol");
    expect(await ask(c, "PING still-fine")).toEqual([":chat.server PONG chat.server :still-fine"]);
  });
});

describe("extended-monitor", () => {
  test("is offered, and tells away-notify watchers of AWAY outside shared rooms", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["away-notify", "extended-monitor"] });
    const plainWatcher = await t.client("pat", { caps: ["away-notify"] });
    const b = await t.client("bob");
    await ask(a, "MONITOR + bob");
    await ask(plainWatcher, "MONITOR + bob");
    b.send("AWAY :lunch");
    await a.expect(/^:bob!~bob@127\.0\.0\.1 AWAY :lunch$/);
    expect(await plainWatcher.sees("AWAY", 150)).toBe(false);
  });
});
