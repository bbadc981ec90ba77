import { afterEach, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { saslClient } from "./helpers.ts";

let t: TestServer;
afterEach(async () => {
  await t.stop();
});

describe("account capabilities", () => {
  test("extended-join shows the account (or *) and the real name; plain JOIN without the cap", async () => {
    t = await startTestServer();
    const ext = await t.client("ext", { caps: ["extended-join"] });
    const old = await t.client("old");
    ext.send("JOIN #r");
    old.send("JOIN #r");
    await ext.expect(/:old!\S+ JOIN #r \* :old$/);
    const alice = await saslClient(t.port, "alice", "correct horse");
    alice.send("JOIN #r");
    await ext.expect(/:alice!\S+ JOIN #r alice :alice$/);
    expect(await old.expect(/:alice!\S+ JOIN/)).toMatch(/ JOIN :?#r$/);
    alice.close();
  });

  test("account-tag marks an owner's messages, only for clients that asked", async () => {
    t = await startTestServer();
    const tagged = await t.client("tagged", { caps: ["account-tag"] });
    const plain = await t.client("plain", { caps: ["message-tags"] });
    const alice = await saslClient(t.port, "alice", "correct horse");
    const bob = await t.client("bob");
    for (const c of [tagged, plain, alice, bob]) c.send("JOIN #r");
    await tagged.expect(/bob!\S+ JOIN/);
    await plain.expect(/bob!\S+ JOIN/);
    alice.send("PRIVMSG #r :from an owner");
    bob.send("PRIVMSG #r :from a guest");
    expect(await tagged.expect("from an owner")).toMatch(/^@account=alice :alice!/);
    expect(await tagged.expect("from a guest")).toMatch(/^:bob!/);
    expect(await plain.expect("from an owner")).not.toContain("account=");
    alice.close();
  });

  test("account-notify: REGISTER and UNCLAIM after registration are ACCOUNT lines to room-mates", async () => {
    t = await startTestServer();
    const notified = await t.client("watch", { caps: ["account-notify"] });
    const other = await t.client("other");
    const carol = await t.client("carol");
    for (const c of [notified, other, carol]) c.send("JOIN #r");
    await notified.expect(/carol!\S+ JOIN/);
    carol.send("REGISTER * * a-long-secret");
    await carol.expect(/ REGISTER SUCCESS carol :/);
    await carol.expect(/ 900 carol \S+ carol :You are now logged in as carol/);
    await notified.expect(/^:carol!\S+ ACCOUNT carol$/);
    carol.send("UNCLAIM");
    await carol.expect(/ 901 carol /);
    await notified.expect(/^:carol!\S+ ACCOUNT \*$/);
    other.send("PING :done");
    await other.expect(/PONG/);
    expect(other.drain().some((l) => l.includes(" ACCOUNT "))).toBe(false);
  });

  test("CAP LS offers sasl with its mechanisms and account-registration", async () => {
    t = await startTestServer();
    const c = await t.client("x");
    c.send("CAP LS 302");
    // CAP LS 302 may take several lines (`CAP x LS * :...`); the last has no `*`.
    await c.expect(/ CAP x LS :/);
    const ls = c.lines.filter((l) => / CAP x LS /.test(l)).join(" ");
    for (const cap of [
      "sasl=PLAIN,EXTERNAL",
      "account-tag",
      "account-notify",
      "extended-join",
      "draft/account-registration=before-connect",
    ]) {
      expect(ls).toContain(cap);
    }
  });
});

describe("the a: account extban ($a: taken as the same)", () => {
  test("+b $a:alice keeps alice's owner out under any nick; others, and unowned look-alikes, get in", async () => {
    t = await startTestServer();
    const op = await t.client("op");
    op.send("JOIN #r");
    await op.expect(/ 366 op #r /);
    op.send("MODE #r +b $a:alice");
    await op.expect(/ MODE #r \+b :?a:alice/);
    const alice = await saslClient(t.port, "alice", "correct horse");
    alice.send("JOIN #r");
    await alice.expect(/ 474 alice #r /);
    alice.send("NICK disguised");
    await alice.expect(/ NICK :?disguised/);
    alice.send("JOIN #r");
    await alice.expect(/ 474 disguised #r /);
    const guest = await t.client("alice2");
    guest.send("JOIN #r");
    await guest.expect(/ JOIN :?#r/);
    guest.send("PRIVMSG #r :not banned");
    await op.expect("not banned");
    alice.close();
  });

  test("ISUPPORT names the extban", async () => {
    t = await startTestServer();
    const c = await t.client("x");
    expect(c.lines.some((l) => / 005 .*EXTBAN=,am /.test(l))).toBe(true);
  });
});
