/**
 * draft/multiline at the wire level: a client batch arrives as one BATCH at
 * clients with the cap and as separate lines (msgid on the first, no blank
 * lines) at others, is stored as one message and replayed as one, and every
 * broken batch gets the spec's FAIL BATCH code with nothing delivered.
 */
import { afterEach, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const ML = ["batch", "draft/multiline", "message-tags", "server-time", "echo-message"];
let t: TestServer | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function inDev(nick: string, caps: string[]): Promise<TestClient> {
  const c = await (t as TestServer).client(nick, caps.length > 0 ? { caps } : {});
  c.send("JOIN #dev");
  await c.expect(new RegExp(` 366 ${nick} #dev `));
  return c;
}

/** Wait until the client answers a PING: every line before it has arrived. */
async function settle(c: TestClient): Promise<string[]> {
  c.send("PING settle");
  await c.expect(/PONG .*settle/);
  return c.lines;
}

const strip = (l: string): string => l.replace(/^@\S+ /, "");
const tagsOf = (l: string): string => (l.startsWith("@") ? (l.split(" ")[0] ?? "") : "");

test("advertised with its limits", async () => {
  t = await startTestServer();
  const c = await t.client("alice");
  c.send("CAP LS 302");
  expect(await c.expect(/ CAP \S+ LS /)).toContain("draft/multiline=max-bytes=4096,max-lines=32");
});

test("one BATCH for multiline clients, separate lines for the rest, one message in history", async () => {
  t = await startTestServer();
  const alice = await inDev("alice", ML);
  const bob = await inDev("bob", ["batch", "draft/multiline", "message-tags"]);
  const carol = await inDev("carol", []);
  const dave = await inDev("dave", ["batch", "message-tags"]);
  for (const c of [bob, carol, dave]) c.drain();

  alice.send("BATCH +b1 draft/multiline #dev");
  alice.send("@batch=b1 PRIVMSG #dev :hello");
  alice.send("@batch=b1 PRIVMSG #dev :");
  alice.send("@batch=b1 PRIVMSG #dev :how is ");
  alice.send("@batch=b1;draft/multiline-concat PRIVMSG #dev :everyone?");
  alice.send("BATCH -b1");

  const open = await bob.expect(/BATCH \+/);
  expect(open).toMatch(/^@msgid=\S+ :alice!\S+ BATCH \+(\S+) draft\/multiline #dev$/);
  const ref = /BATCH \+(\S+)/.exec(open)?.[1] ?? "";
  expect(await bob.expect(/PRIVMSG/)).toBe(
    `@batch=${ref} :${open.split(" ")[1]?.slice(1)} PRIVMSG #dev :hello`,
  );
  expect(strip(await bob.expect(/PRIVMSG/))).toMatch(/PRIVMSG #dev :$/);
  expect(strip(await bob.expect(/PRIVMSG/))).toMatch(/PRIVMSG #dev :how is everyone\?$/);
  expect(await bob.expect(/BATCH -/)).toMatch(new RegExp(`^:alice!\\S+ BATCH -${ref}$`));

  const carolLines = (await settle(carol)).filter((l) => l.includes("PRIVMSG #dev"));
  expect(carolLines.map(strip)).toEqual([
    expect.stringMatching(/^:alice!\S+ PRIVMSG #dev :hello$/),
    expect.stringMatching(/^:alice!\S+ PRIVMSG #dev :how is everyone\?$/),
  ]);
  const daveLines = (await settle(dave)).filter((l) => l.includes("PRIVMSG #dev"));
  expect(daveLines.length).toBe(2);
  expect(tagsOf(daveLines[0] ?? "")).toContain("msgid=");
  expect(tagsOf(daveLines[1] ?? "")).not.toContain("msgid=");

  // The sender's echo is the batch too.
  await alice.expect(/BATCH \+\S+ draft\/multiline #dev/);

  // Stored as one message: CHATHISTORY gives one nested batch, or the pieces.
  bob.send("CHATHISTORY LATEST #dev * 10");
  await bob.expect(/BATCH \+\S+ chathistory #dev/);
  expect(await bob.expect(/BATCH \+/)).toMatch(
    /^@batch=\S+;msgid=\S+ :alice!\S+ BATCH \+\S+ draft\/multiline #dev$/,
  );
  dave.send("CHATHISTORY LATEST #dev * 10");
  await dave.expect(/BATCH \+\S+ chathistory #dev/);
  const replayed: string[] = [];
  for (;;) {
    const l = await dave.expect(/PRIVMSG #dev|BATCH -/);
    if (l.includes("BATCH -")) break;
    replayed.push(strip(l));
  }
  expect(replayed).toEqual([
    expect.stringMatching(/PRIVMSG #dev :hello$/),
    expect.stringMatching(/PRIVMSG #dev :how is everyone\?$/),
  ]);
});

test("a long concatenated line reaches fallback clients cut to fit, nothing lost", async () => {
  t = await startTestServer();
  const alice = await inDev("alice", ML);
  const carol = await inDev("carol", []);
  carol.drain();
  const part = "x".repeat(400);
  alice.send("BATCH +b2 draft/multiline #dev");
  alice.send(`@batch=b2 PRIVMSG #dev :${part}`);
  alice.send(`@batch=b2;draft/multiline-concat PRIVMSG #dev :${part}`);
  alice.send("BATCH -b2");
  const got = (await settle(carol)).filter((l) => l.includes("PRIVMSG #dev"));
  expect(got.length).toBe(2);
  for (const l of got) expect(Buffer.byteLength(`${l}\r\n`)).toBeLessThanOrEqual(512);
  expect(got.map((l) => l.slice(l.indexOf(" :", 1) + 2)).join("")).toBe(part + part);
});

test.each([
  [
    "a line to another target",
    ["BATCH +e draft/multiline #dev", "@batch=e PRIVMSG #other :hi", "BATCH -e"],
    /^:\S+ FAIL BATCH MULTILINE_INVALID_TARGET #dev #other :Invalid multiline target$/,
  ],
  [
    "too many lines",
    [
      "BATCH +e draft/multiline #dev",
      ...Array.from({ length: 33 }, (_, i) => `@batch=e PRIVMSG #dev :line ${i}`),
      "BATCH -e",
    ],
    /FAIL BATCH MULTILINE_MAX_LINES 32 :Multiline batch max-lines exceeded$/,
  ],
  [
    "too many bytes",
    [
      "BATCH +e draft/multiline #dev",
      ...Array.from({ length: 12 }, () => `@batch=e PRIVMSG #dev :${"y".repeat(400)}`),
      "BATCH -e",
    ],
    /FAIL BATCH MULTILINE_MAX_BYTES 4096 :Multiline batch max-bytes exceeded$/,
  ],
  [
    "a NOTICE inside",
    ["BATCH +e draft/multiline #dev", "@batch=e NOTICE #dev :hi", "BATCH -e"],
    /FAIL BATCH MULTILINE_INVALID :Only PRIVMSG/,
  ],
  [
    "only blank lines",
    ["BATCH +e draft/multiline #dev", "@batch=e PRIVMSG #dev :", "BATCH -e"],
    /FAIL BATCH MULTILINE_INVALID :A multiline message needs text$/,
  ],
  ["closing a batch never opened", ["BATCH -nope"], /FAIL BATCH MULTILINE_INVALID :No such/],
  [
    "another batch type",
    ["BATCH +e netsplit a b"],
    /FAIL BATCH MULTILINE_INVALID :Only draft\/multiline batches/,
  ],
])(
  "bad input: %s gets FAIL, nothing is delivered, the connection stays",
  async (_what, lines, fail) => {
    // A whole batch comes at once: the flood limiter is not under test here.
    t = await startTestServer({ limits: { floodLimit: false } });
    const alice = await inDev("alice", ML);
    const bob = await inDev("bob", []);
    bob.drain();
    for (const l of lines) alice.send(l);
    expect(await alice.expect(/FAIL/)).toMatch(fail);
    expect((await settle(alice)).filter((l) => l.includes("FAIL")).length).toBe(1);
    expect((await settle(bob)).some((l) => l.includes("PRIVMSG #dev"))).toBe(false);
    // Still usable: an ordinary message goes through.
    alice.send("PRIVMSG #dev :still here");
    await bob.expect(/PRIVMSG #dev :still here/);
  },
);

test("without the cap a client batch is refused", async () => {
  t = await startTestServer();
  const c = await inDev("alice", ["batch"]);
  c.send("BATCH +x draft/multiline #dev");
  expect(await c.expect(/FAIL/)).toMatch(/FAIL BATCH MULTILINE_INVALID :/);
  c.send("@batch=x PRIVMSG #dev :plain again");
  c.send("PING ok");
  await c.expect(/PONG/);
});
