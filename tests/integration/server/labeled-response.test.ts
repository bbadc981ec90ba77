/**
 * IRCv3 labeled-response (https://ircv3.net/specs/extensions/labeled-response):
 * a command sent with `@label=X` is answered with the label on its one reply
 * line, an ACK when it has none, or a `labeled-response` batch of all its lines.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { OperCredentials } from "../../../src/security/password.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const LABELED = ["labeled-response", "batch"];

/** Send `line`, round-trip a PING, and return the lines in between (prefixes shortened). */
async function answer(c: TestClient, line: string): Promise<string[]> {
  const from = c.lines.length;
  c.send(line);
  c.send("PING sync");
  await c.expect(/PONG \S+ :?sync$/);
  return c.lines
    .slice(from, -1)
    .map((l) => l.replace(/!~\w+@127\.0\.0\.1/g, "").replace(/BATCH ([+-])\w+/, "BATCH $1REF"))
    .map((l) => l.replace(/batch=\w+/g, "batch=REF"));
}

describe("labeled-response", () => {
  test("a one-line reply carries the label", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: LABELED });
    expect(await answer(c, "@label=p1 PING tok")).toEqual([
      "@label=p1 :chat.server PONG chat.server :tok",
    ]);
  });

  test("a command with no reply gets ACK", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: LABELED });
    c.send("JOIN #r");
    await c.expect(/ 366 alice #r /);
    expect(await answer(c, "@label=m1 PRIVMSG #r :hello")).toEqual(["@label=m1 :chat.server ACK"]);
  });

  test("with echo-message the echo is the labeled reply", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: [...LABELED, "echo-message"] });
    c.send("JOIN #r");
    await c.expect(/ 366 alice #r /);
    expect(await answer(c, "@label=m2 PRIVMSG #r :hello")).toEqual([
      "@label=m2 :alice PRIVMSG #r :hello",
    ]);
  });

  test("several reply lines come as one labeled-response batch", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: LABELED });
    expect(await answer(c, "@label=j1 JOIN #r")).toEqual([
      "@label=j1 :chat.server BATCH +REF labeled-response",
      "@batch=REF :alice JOIN #r",
      "@batch=REF :chat.server 353 alice = #r :@alice",
      "@batch=REF :chat.server 366 alice #r :End of /NAMES list",
      ":chat.server BATCH -REF",
    ]);
  });

  test("an error reply carries the label", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: LABELED });
    expect(await answer(c, "@label=e1 JOIN")).toEqual([
      "@label=e1 :chat.server 461 alice JOIN :Not enough parameters",
    ]);
    expect(await answer(c, "@label=e2 FROB")).toEqual([
      "@label=e2 :chat.server 421 alice FROB :Unknown command",
    ]);
  });

  test("message tags the client also has keep their place after the label", async () => {
    t = await startTestServer();
    const c = await t.client("alice", {
      caps: [...LABELED, "echo-message", "message-tags"],
    });
    c.send("JOIN #r");
    await c.expect(/ 366 alice #r /);
    const [line] = await answer(c, "@label=m3;+typing=done PRIVMSG #r :x");
    expect(line).toMatch(/^@label=m3;msgid=[^; ]+;\+typing=done :alice PRIVMSG #r :x$/);
  });

  test("a label with special characters comes back escaped as sent", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: LABELED });
    expect(await answer(c, "@label=a\\sb\\:c PING x")).toEqual([
      "@label=a\\sb\\:c :chat.server PONG chat.server :x",
    ]);
  });

  test("without batch, a long reply carries the label on its first line only", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: ["labeled-response"] });
    expect(await answer(c, "@label=j2 JOIN #r")).toEqual([
      "@label=j2 :alice JOIN #r",
      ":chat.server 353 alice = #r :@alice",
      ":chat.server 366 alice #r :End of /NAMES list",
    ]);
  });

  test("a client that did not ask for labeled-response gets no label and no ACK", async () => {
    t = await startTestServer();
    const c = await t.client("alice");
    c.send("JOIN #r");
    await c.expect(/ 366 alice #r /);
    expect(await answer(c, "@label=m4 PRIVMSG #r :hello")).toEqual([]);
    expect(await answer(c, "@label=p2 PING x")).toEqual([":chat.server PONG chat.server :x"]);
  });

  test("a label over 64 bytes is ignored, and the connection stays", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: LABELED });
    expect(await answer(c, `@label=${"x".repeat(65)} PING x`)).toEqual([
      ":chat.server PONG chat.server :x",
    ]);
    expect(await answer(c, `@label=${"y".repeat(64)} PING x`)).toEqual([
      `@label=${"y".repeat(64)} :chat.server PONG chat.server :x`,
    ]);
  });

  test("a history batch inside a labeled response nests in it", async () => {
    t = await startTestServer();
    const c = await t.client("alice", { caps: [...LABELED, "draft/chathistory"] });
    c.send("JOIN #r");
    await c.expect(/ 366 alice #r /);
    c.send("PRIVMSG #r :one");
    const lines = await answer(c, "@label=h1 CHATHISTORY LATEST #r * 10");
    expect(lines).toEqual([
      "@label=h1 :chat.server BATCH +REF labeled-response",
      "@batch=REF :chat.server BATCH +REF chathistory #r",
      "@batch=REF :alice PRIVMSG #r :one",
      "@batch=REF :chat.server BATCH -REF",
      ":chat.server BATCH -REF",
    ]);
    // The inner batch's own lines keep its reference, not the outer one.
    const outer = /BATCH \+(\w+) labeled-response/.exec(c.lines.join("\n"))?.[1];
    const inner = /BATCH \+(\w+) chathistory/.exec(c.lines.join("\n"))?.[1];
    expect(c.lines).toContain(`@batch=${inner} :alice!~alice@127.0.0.1 PRIVMSG #r :one`);
    expect(c.lines).toContain(`@batch=${outer} :chat.server BATCH -${inner}`);
  });

  test("OPER, answered after its password check, is still one labeled reply", async () => {
    const creds = new OperCredentials([{ name: "root", password: "pw" }]);
    t = await startTestServer({ opers: creds.logins() });
    const c = await t.client("alice", { caps: LABELED });
    expect(await answer(c, "@label=o1 OPER root pw")).toEqual([
      "@label=o1 :chat.server BATCH +REF labeled-response",
      "@batch=REF :chat.server 381 alice :You are now an IRC operator",
      "@batch=REF :alice MODE alice :+o",
      ":chat.server BATCH -REF",
    ]);
    expect(await answer(c, "@label=o2 OPER root pw")).toEqual([
      "@label=o2 :chat.server 381 alice :You are already an IRC operator",
    ]);
  });
});
