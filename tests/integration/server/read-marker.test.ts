/**
 * draft/read-marker at the wire level: MARKREAD get and set, the marker after
 * JOIN and before RPL_ENDOFNAMES, only forward, kept in SQLite across a
 * reconnect and a restart, and the spec's FAIL codes for bad input (the
 * connection stays).
 */
import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-read-marker-"));
const CAPS = ["draft/read-marker", "server-time", "message-tags", "batch"];
let t: TestServer | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T1 = "2026-01-04T14:33:26.123Z";
const T2 = "2026-01-04T15:00:00.000Z";

test("advertised in CAP LS", async () => {
  t = await startTestServer();
  const c = await t.client("alice");
  c.send("CAP LS 302");
  expect(await c.expect(/ CAP \S+ LS /)).toContain("draft/read-marker");
});

test("after JOIN, before 366: * at first, then the stored time; set only moves forward", async () => {
  t = await startTestServer();
  const c = await t.client("alice", { caps: CAPS });
  c.send("JOIN #dev");
  await c.expect(/:alice!\S+ JOIN #dev$/);
  const marker = await c.expect(/MARKREAD/);
  expect(marker).toMatch(/^(@\S+ )?:\S+ MARKREAD #dev \*$/);
  await c.expect(/ 366 alice #dev /);

  c.send(`MARKREAD #dev timestamp=${T2}`);
  expect(await c.expect(/MARKREAD/)).toMatch(new RegExp(`:\\S+ MARKREAD #dev timestamp=${T2}$`));
  // Older than what is stored: the stored value comes back, unchanged.
  c.send(`MARKREAD #dev timestamp=${T1}`);
  expect(await c.expect(/MARKREAD/)).toMatch(new RegExp(`MARKREAD #dev timestamp=${T2}$`));
  c.send("MARKREAD #DEV");
  expect(await c.expect(/MARKREAD/)).toMatch(new RegExp(`MARKREAD #DEV timestamp=${T2}$`));
  // A private conversation has a marker too; none yet.
  c.send("MARKREAD bob");
  expect(await c.expect(/MARKREAD/)).toMatch(/:\S+ MARKREAD bob \*$/);
  // A time in the future is clamped to now.
  c.send("MARKREAD bob timestamp=2999-01-01T00:00:00.000Z");
  const clamped = await c.expect(/MARKREAD bob/);
  const when = Date.parse(clamped.split("timestamp=")[1] ?? "");
  expect(when).toBeLessThanOrEqual(Date.now());
  expect(when).toBeGreaterThan(Date.now() - 60_000);
});

test("a client without the cap gets no MARKREAD on JOIN", async () => {
  t = await startTestServer();
  const c = await t.client("alice");
  c.send("JOIN #dev");
  await c.expect(/ 366 alice #dev /);
  c.send("PING x");
  await c.expect(/PONG/);
  expect(c.lines.some((l) => l.includes("MARKREAD"))).toBe(false);
});

test("bad input: a FAIL with the spec's code, and the connection stays", async () => {
  t = await startTestServer();
  const c = await t.client("alice", { caps: CAPS });
  c.send("MARKREAD");
  expect(await c.expect(/FAIL/)).toMatch(/FAIL MARKREAD NEED_MORE_PARAMS :Missing parameters$/);
  c.send("MARKREAD #nowhere");
  expect(await c.expect(/FAIL/)).toMatch(/FAIL MARKREAD INVALID_PARAMS #nowhere :/);
  c.send("MARKREAD #nowhere timestamp=2026-01-01T00:00:00.000Z");
  expect(await c.expect(/FAIL/)).toMatch(/FAIL MARKREAD INVALID_PARAMS #nowhere :/);
  c.send("JOIN #dev");
  await c.expect(/ 366 alice #dev /);
  c.send("MARKREAD #dev yesterday");
  expect(await c.expect(/FAIL/)).toMatch(
    /FAIL MARKREAD INVALID_PARAMS yesterday :Invalid timestamp$/,
  );
  c.send("MARKREAD #dev msgid=abc");
  expect(await c.expect(/FAIL/)).toMatch(/FAIL MARKREAD INVALID_PARAMS msgid=abc :/);
  c.send("MARKREAD bad,nick");
  expect(await c.expect(/FAIL/)).toMatch(/FAIL MARKREAD INVALID_PARAMS bad,nick :/);
  // Nothing was stored by the refused commands, and the connection still answers.
  c.send("MARKREAD #dev");
  expect(await c.expect(/MARKREAD #dev/)).toMatch(/MARKREAD #dev \*$/);
});

test("kept in SQLite: a reconnect and a restart see the marker on JOIN", async () => {
  const path = join(dir, "markers.db");
  t = await startTestServer({ store: new SqliteStore({ path, history: 100 }) });
  const a = await t.client("alice", { caps: CAPS });
  a.send("JOIN #dev");
  await a.expect(/ 366 alice #dev /);
  a.send(`MARKREAD #dev timestamp=${T1}`);
  await a.expect(/MARKREAD #dev timestamp=/);
  a.send("QUIT");
  await a.waitClosed();

  const again = await t.client("alice", { caps: CAPS });
  again.send("JOIN #dev");
  expect(await again.expect(/MARKREAD/)).toMatch(new RegExp(`MARKREAD #dev timestamp=${T1}$`));
  await t.stop();

  t = await startTestServer({ store: new SqliteStore({ path, history: 100 }) });
  const later = await t.client("alice", { caps: CAPS });
  later.send("JOIN #dev");
  expect(await later.expect(/MARKREAD/)).toMatch(new RegExp(`MARKREAD #dev timestamp=${T1}$`));
  // Another person's marker is theirs alone.
  const bob = await t.client("bob", { caps: CAPS });
  bob.send("JOIN #dev");
  expect(await bob.expect(/MARKREAD/)).toMatch(/MARKREAD #dev \*$/);
});
