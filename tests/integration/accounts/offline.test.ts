import { afterEach, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { saslClient } from "./helpers.ts";

let t: TestServer;
afterEach(async () => {
  await t.stop();
});

test("a DM to an offline owner is kept, the sender gets a NOTE, and it arrives at their next login with its time", async () => {
  t = await startTestServer();
  const owner = await saslClient(t.port, "alice", "alice-secret-1");
  owner.close();
  await Bun.sleep(30);
  const bob = await t.client("bob");
  bob.send("PRIVMSG alice :while you were out");
  await bob.expect(/ NOTE PRIVMSG OFFLINE_KEPT alice :alice is offline; your message is kept/);
  bob.send("PRIVMSG nobody :hello?");
  await bob.expect(/ 401 bob nobody /);
  const sentAt = Date.now();
  await Bun.sleep(1100);

  const back = await saslClient(t.port, "alice", "alice-secret-1", ["server-time"]);
  const line = await back.expect("while you were out");
  expect(line).toMatch(/^@time=\S+ :bob!\S+ PRIVMSG alice :while you were out$/);
  const time = Date.parse(/time=(\S+)/.exec(line)?.[1] ?? "");
  expect(time).toBeLessThanOrEqual(sentAt);
  // After the welcome, not before it.
  expect(back.lines.findIndex((l) => / 001 /.test(l))).toBeLessThan(back.lines.indexOf(line));
  back.close();
  await Bun.sleep(30);
  // Delivered once only.
  const third = await saslClient(t.port, "alice", "alice-secret-1");
  expect(await third.sees("while you were out", 300)).toBe(false);
  third.close();
});

test("at most offlineMessagesPerOwner are kept: the newest", async () => {
  t = await startTestServer({ limits: { offlineMessagesPerOwner: 3, floodLimit: false } });
  const owner = await saslClient(t.port, "carl", "carl-secret-1");
  owner.close();
  await Bun.sleep(30);
  const bob = await t.client("bob");
  for (let i = 1; i <= 5; i++) bob.send(`PRIVMSG carl :kept ${i}`);
  for (let i = 1; i <= 5; i++) await bob.expect("OFFLINE_KEPT");
  const back = await saslClient(t.port, "carl", "carl-secret-1");
  await back.expect("kept 5");
  const got = back.lines.filter((l) => l.includes("PRIVMSG carl :kept")).map((l) => l.slice(-6));
  expect(got).toEqual(["kept 3", "kept 4", "kept 5"]);
  back.close();
});
