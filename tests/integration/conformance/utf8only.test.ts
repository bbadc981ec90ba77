/**
 * Issue 12, point 4: UTF8ONLY. A line that is not UTF-8 is refused with
 * `FAIL <command> INVALID_UTF8`, never relayed with replacement characters.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { ask, joined } from "./wire.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const REASON = "Message rejected, your IRC software MUST use UTF-8 encoding on this network";

function latin1(line: string): Uint8Array {
  // "café" in ISO-8859-1: é is the single byte 0xE9, which is not UTF-8.
  return new Uint8Array([...line].map((ch) => ch.charCodeAt(0)));
}

describe("UTF8ONLY", () => {
  test("is advertised in ISUPPORT", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    expect(a.lines.some((l) => / 005 alice .* UTF8ONLY /.test(l))).toBe(true);
  });

  test("a Latin-1 PRIVMSG gets the FAIL, the room gets nothing, the connection stays", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    await joined(a, "alice", "#r");
    await joined(b, "bob", "#r");
    a.sendRaw(latin1("PRIVMSG #r :caf\xe9\r\n"));
    await a.expect(`:chat.server FAIL PRIVMSG INVALID_UTF8 :${REASON}`);
    a.send("PRIVMSG #r :café");
    await b.expect(/^:alice!\S+ PRIVMSG #r :café$/);
    expect(b.lines.filter((l) => l.includes("PRIVMSG #r")).length).toBe(1);
    expect(t.store.latest("#r", 10).map((e) => e.text)).toEqual(["café"]);
  });

  test("a non-UTF-8 TOPIC changes nothing", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    await joined(a, "alice", "#r");
    a.sendRaw(latin1("TOPIC #r :caf\xe9\r\n"));
    await a.expect("FAIL TOPIC INVALID_UTF8");
    expect(await ask(a, "TOPIC #r")).toEqual([":chat.server 331 alice #r :No topic is set"]);
  });

  test("before registration too: NICK in Latin-1 is refused and a good NICK still works", async () => {
    t = await startTestServer();
    const c = await TestClient.connect(t.port);
    c.sendRaw(latin1("NICK jos\xe9\r\n"));
    await c.expect(`:chat.server FAIL NICK INVALID_UTF8 :${REASON}`);
    c.send("NICK jose");
    c.send("USER jose 0 * :Jose");
    await c.expect(/ 001 jose /);
    c.close();
  });

  test("valid multi-byte UTF-8 split across writes passes untouched", async () => {
    t = await startTestServer();
    const a = await t.client("alice");
    const b = await t.client("bob");
    await joined(a, "alice", "#r");
    await joined(b, "bob", "#r");
    const bytes = new TextEncoder().encode("PRIVMSG #r :日本語\r\n");
    a.sendRaw(bytes.subarray(0, 14));
    a.sendRaw(bytes.subarray(14));
    await b.expect(/ PRIVMSG #r :日本語$/);
    expect(a.lines.some((l) => l.includes("INVALID_UTF8"))).toBe(false);
  });

  // labeled-response: the server MUST label its response to a labeled command,
  // and this FAIL is that response (its tags are ASCII, readable as sent).
  test("a labeled non-UTF-8 line gets its FAIL with the label", async () => {
    t = await startTestServer();
    const a = await t.client("alice", { caps: ["labeled-response", "standard-replies"] });
    await joined(a, "alice", "#r");
    a.sendRaw(latin1("@label=u1 PRIVMSG #r :caf\xe9\r\n"));
    await a.expect(`@label=u1 :chat.server FAIL PRIVMSG INVALID_UTF8 :${REASON}`);
  });
});
