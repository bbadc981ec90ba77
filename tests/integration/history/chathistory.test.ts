/**
 * CHATHISTORY over real sockets against a real SQLite file: every subcommand
 * on a room with a few thousand messages, paging, limits, errors, replay on
 * join, and who may read private history.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const ROOM_SIZE = 3000;
const T0 = Date.now() - 2 * 3600_000;
const timeOf = (i: number): number => T0 + i * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

const dir = mkdtempSync(join(tmpdir(), "chat-chathistory-"));
let dbCount = 0;
let t: TestServer | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A server on a fresh SQLite file whose #big already holds messages 1..ROOM_SIZE. */
async function serverWithBigRoom(): Promise<TestServer> {
  const store = new SqliteStore({ path: join(dir, `h${++dbCount}.db`), history: 10_000 });
  for (let i = 1; i <= ROOM_SIZE; i++) {
    store.append({
      msgid: `m${i}`,
      time: timeOf(i),
      key: "#big",
      target: "#big",
      source: `user${i % 7}!u@127.0.0.1`,
      command: i % 100 === 0 ? "NOTICE" : "PRIVMSG",
      text: `message ${i}`,
    });
  }
  store.flush();
  // Paging sends commands back to back: the flood limiter is not under test here.
  return startTestServer({ store, limits: { floodLimit: false } });
}

const HISTORY_CAPS = ["batch", "server-time", "message-tags", "draft/chathistory"];

interface Line {
  tags: Map<string, string>;
  rest: string;
}

function parseLine(line: string): Line {
  const tags = new Map<string, string>();
  let rest = line;
  if (line.startsWith("@")) {
    const sp = line.indexOf(" ");
    for (const kv of line.slice(1, sp).split(";")) {
      const eq = kv.indexOf("=");
      if (eq === -1) tags.set(kv, "");
      else tags.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    rest = line.slice(sp + 1);
  }
  return { tags, rest };
}

/**
 * Send a CHATHISTORY command and collect its batch: the batch's opening
 * parameters and the lines inside it. Bounded: a batch is at most the server's
 * limit of lines, and each wait has the client's timeout.
 */
async function batch(c: TestClient, command: string): Promise<{ open: string; lines: Line[] }> {
  c.send(command);
  const open = await c.expect(/ BATCH \+\S+ /);
  const id = /BATCH \+(\S+)/.exec(open)?.[1] ?? "";
  const lines: Line[] = [];
  for (let i = 0; i < 1000; i++) {
    const line = await c.expect(/./);
    if (line.includes(` BATCH -${id}`)) return { open, lines };
    const parsed = parseLine(line);
    expect(parsed.tags.get("batch")).toBe(id);
    lines.push(parsed);
  }
  throw new Error("batch did not end within 1000 lines");
}

const numbers = (lines: Line[]): number[] =>
  lines.map((l) => Number(/ :message (\d+)$/.exec(l.rest)?.[1] ?? Number.NaN));
const span = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k);

describe("CHATHISTORY on a room with a few thousand messages", () => {
  // One server for the whole block (not `t`, which afterEach stops).
  let shared: TestServer | undefined;
  let c: TestClient;
  beforeAll(async () => {
    shared = await serverWithBigRoom();
    c = await shared.client("reader", { caps: HISTORY_CAPS });
    c.send("JOIN #big");
    await c.expect(/ 366 reader #big /);
  });
  afterAll(async () => {
    await shared?.stop();
    shared = undefined;
  });

  test("capabilities and ISUPPORT announce chathistory with its limit", async () => {
    const probe = await TestClient.connect(shared?.port ?? 0);
    try {
      probe.send("CAP LS 302");
      const ls = await probe.expect(/ CAP \* LS /);
      expect(ls).toContain("draft/chathistory");
      // The draft spec forbids the unprefixed name until it is ratified.
      expect(ls).not.toMatch(/[ :]chathistory( |$)/);
      probe.send("CAP END");
      probe.send("NICK probe");
      probe.send("USER probe 0 * :p");
      const tokens = `${await probe.expect(/ 005 /)} ${await probe.expect(/ 005 /)}`;
      expect(tokens).toContain("CHATHISTORY=100");
      expect(tokens).toContain("MSGREFTYPES=timestamp,msgid");
    } finally {
      probe.close();
    }
  });

  test("a chathistory client gets no automatic replay on join", () => {
    const joined = c.lines.filter((l) => / :message \d+$/.test(l));
    expect(joined).toEqual([]);
  });

  test("LATEST * returns the newest, oldest first, with original msgid, time and command", async () => {
    const { open, lines } = await batch(c, "CHATHISTORY LATEST #big * 50");
    expect(open).toMatch(/ BATCH \+\S+ chathistory #big$/);
    expect(numbers(lines)).toEqual(span(2951, 3000));
    const first = lines[0];
    expect(first?.tags.get("msgid")).toBe("m2951");
    expect(first?.tags.get("time")).toBe(iso(timeOf(2951)));
    expect(first?.rest).toBe(":user4!u@127.0.0.1 PRIVMSG #big :message 2951");
    expect(lines[49]?.rest).toBe(":user4!u@127.0.0.1 NOTICE #big :message 3000");
  });

  test("BEFORE and AFTER by msgid and by timestamp exclude the reference", async () => {
    expect(numbers((await batch(c, "CHATHISTORY BEFORE #big msgid=m2000 100")).lines)).toEqual(
      span(1900, 1999),
    );
    expect(
      numbers((await batch(c, `CHATHISTORY BEFORE #big timestamp=${iso(timeOf(10))} 100`)).lines),
    ).toEqual(span(1, 9));
    expect(numbers((await batch(c, "CHATHISTORY AFTER #big msgid=m10 5")).lines)).toEqual(
      span(11, 15),
    );
    expect(
      numbers((await batch(c, `CHATHISTORY AFTER #big timestamp=${iso(timeOf(2990))} 50`)).lines),
    ).toEqual(span(2991, 3000));
  });

  test("AROUND centres on the reference; BETWEEN works in both directions", async () => {
    expect(numbers((await batch(c, "CHATHISTORY AROUND #big msgid=m1500 11")).lines)).toEqual(
      span(1495, 1505),
    );
    expect(
      numbers((await batch(c, "CHATHISTORY BETWEEN #big msgid=m100 msgid=m200 10")).lines),
    ).toEqual(span(101, 110));
    expect(
      numbers((await batch(c, "CHATHISTORY BETWEEN #big msgid=m200 msgid=m100 10")).lines),
    ).toEqual(span(190, 199));
    expect(
      numbers(
        (
          await batch(
            c,
            `CHATHISTORY BETWEEN #big timestamp=${iso(timeOf(5))} timestamp=${iso(timeOf(9))} 100`,
          )
        ).lines,
      ),
    ).toEqual(span(6, 8));
  });

  test("LATEST with a reference returns only what came after it", async () => {
    expect(numbers((await batch(c, "CHATHISTORY LATEST #big msgid=m2995 100")).lines)).toEqual(
      span(2996, 3000),
    );
    expect(numbers((await batch(c, "CHATHISTORY LATEST #big msgid=m100 3")).lines)).toEqual(
      span(2998, 3000),
    );
  });

  test("paging back with BEFORE from LATEST reaches every message once, in order", async () => {
    const seen: number[] = [];
    let page = (await batch(c, "CHATHISTORY LATEST #big * 100")).lines;
    for (let guard = 0; page.length > 0 && guard < 50; guard++) {
      seen.unshift(...numbers(page));
      const oldest = page[0]?.tags.get("msgid");
      page = (await batch(c, `CHATHISTORY BEFORE #big msgid=${oldest} 100`)).lines;
    }
    expect(seen).toEqual(span(1, ROOM_SIZE));
  });

  test("a limit above the maximum is clamped; an unknown msgid gives an empty batch", async () => {
    expect((await batch(c, "CHATHISTORY LATEST #big * 5000")).lines).toHaveLength(100);
    expect((await batch(c, "CHATHISTORY BEFORE #big msgid=nosuch 10")).lines).toEqual([]);
  });

  test("malformed requests get FAIL CHATHISTORY standard replies", async () => {
    c.send("CHATHISTORY FROB #big * 10");
    await c.expect(/ FAIL CHATHISTORY UNKNOWN_COMMAND FROB :Unknown command$/);
    c.send("CHATHISTORY BEFORE #big");
    await c.expect(/ FAIL CHATHISTORY NEED_MORE_PARAMS BEFORE :Missing parameters$/);
    c.send("CHATHISTORY BEFORE #big msgid=m5 10 extra");
    await c.expect(/ FAIL CHATHISTORY INVALID_PARAMS BEFORE :Too many parameters$/);
    c.send("CHATHISTORY BEFORE #big timestamp=yesterday 10");
    await c.expect(/ FAIL CHATHISTORY INVALID_PARAMS BEFORE timestamp=yesterday :/);
    c.send("CHATHISTORY BEFORE #big msgid=m5 0");
    await c.expect(/ FAIL CHATHISTORY INVALID_PARAMS BEFORE 0 :Invalid limit$/);
    c.send("CHATHISTORY TARGETS msgid=m1 timestamp=2020-01-01T00:00:00.000Z 10");
    await c.expect(/ FAIL CHATHISTORY INVALID_PARAMS TARGETS msgid=m1 :/);
  });
});

describe("history visibility and replay", () => {
  test("a client without chathistory gets the last 20 lines on join, batched with server-time", async () => {
    t = await serverWithBigRoom();
    const plain = await t.client("oldclient", { caps: ["batch", "server-time"] });
    plain.send("JOIN #big");
    await plain.expect(/ 366 oldclient #big /);
    const open = await plain.expect(/ BATCH \+\S+ chathistory #big$/);
    const id = /BATCH \+(\S+)/.exec(open)?.[1] ?? "";
    const lines: Line[] = [];
    for (let i = 0; i < 20; i++) lines.push(parseLine(await plain.expect(/message \d+$/)));
    await plain.expect(` BATCH -${id}`);
    expect(numbers(lines)).toEqual(span(2981, 3000));
    expect(lines.every((l) => l.tags.get("batch") === id && l.tags.has("time"))).toBe(true);
    expect(lines[0]?.tags.get("time")).toBe(iso(timeOf(2981)));
  });

  test("a bare client still gets the last 20 lines on join, framed by notices that say so", async () => {
    t = await serverWithBigRoom();
    const bare = await t.client("bare");
    bare.send("JOIN #big");
    await bare.expect(/ 366 bare #big /);
    await bare.expect(/ NOTICE #big :End of replay; live from here$/);
    const start = bare.lines.findIndex((l) => / 366 bare #big /.test(l)) + 1;
    const replay = bare.lines.slice(start);
    expect(replay[0]).toMatch(/^:\S+ NOTICE #big :Replaying the last 20 messages of #big$/);
    expect(replay[1]).toMatch(/^:user\d!u@127\.0\.0\.1 PRIVMSG #big :message 2981$/);
    expect(replay).toHaveLength(22);
  });

  test("private history is visible to its two participants only", async () => {
    t = await startTestServer({
      store: new SqliteStore({ path: join(dir, `p${++dbCount}.db`), history: 100 }),
    });
    const alice = await t.client("alice", { caps: HISTORY_CAPS });
    const bob = await t.client("Bob", { caps: HISTORY_CAPS });
    const carol = await t.client("carol", { caps: HISTORY_CAPS });
    alice.send("PRIVMSG bob :the secret is 42");
    await bob.expect(/PRIVMSG Bob :the secret is 42$/);
    bob.send("PRIVMSG alice :thanks");
    await alice.expect(/PRIVMSG alice :thanks$/);

    const forBob = await batch(bob, "CHATHISTORY LATEST alice * 10");
    expect(forBob.lines.map((l) => l.rest)).toEqual([
      ":alice!~alice@127.0.0.1 PRIVMSG Bob :the secret is 42",
      ":Bob!~Bob@127.0.0.1 PRIVMSG alice :thanks",
    ]);
    const forAlice = await batch(alice, "CHATHISTORY LATEST BOB * 10");
    expect(forAlice.open).toMatch(/ chathistory Bob$/);
    expect(forAlice.lines).toHaveLength(2);

    for (const target of ["alice", "bob"]) {
      const snooped = await batch(carol, `CHATHISTORY LATEST ${target} * 10`);
      expect(snooped.lines).toEqual([]);
    }
    carol.send(
      "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10",
    );
    const open = await carol.expect(/ BATCH \+\S+ draft\/chathistory-targets$/);
    const id = /BATCH \+(\S+)/.exec(open)?.[1] ?? "";
    expect(await carol.expect(/./)).toContain(`BATCH -${id}`);
  });

  test("TARGETS lists the asker's rooms and private chats, latest first", async () => {
    t = await startTestServer({
      store: new SqliteStore({ path: join(dir, `t${++dbCount}.db`), history: 100 }),
    });
    const alice = await t.client("alice", { caps: HISTORY_CAPS });
    const bob = await t.client("bob");
    alice.send("JOIN #Room");
    await alice.expect(/ 366 alice #Room /);
    alice.send("PRIVMSG #room :hello room");
    bob.send("PRIVMSG alice :hello alice");
    await alice.expect(/PRIVMSG alice :hello alice$/);
    bob.send("PRIVMSG carol-not-here :lost");
    const { open, lines } = await batch(
      alice,
      "CHATHISTORY TARGETS timestamp=2100-01-01T00:00:00.000Z timestamp=2000-01-01T00:00:00.000Z 10",
    );
    expect(open).toMatch(/ BATCH \+\S+ draft\/chathistory-targets$/);
    const rows = lines.map((l) => l.rest.split(" ").slice(1));
    for (const r of rows) expect(r.slice(0, 2)).toEqual(["CHATHISTORY", "TARGETS"]);
    // Both may share a millisecond, so check the set and that times never increase.
    expect(rows.map((r) => r[2]).sort()).toEqual(["#Room", "bob"]);
    const times = rows.map((r) => Date.parse(r[3] ?? ""));
    for (const time of times) expect(time).toBeGreaterThan(Date.now() - 60_000);
    expect(times[0]).toBeGreaterThanOrEqual(times[1] ?? Number.POSITIVE_INFINITY);
  });

  test("a channel the asker may not join is an INVALID_TARGET", async () => {
    t = await startTestServer({
      store: new SqliteStore({ path: join(dir, `i${++dbCount}.db`), history: 100 }),
    });
    const op = await t.client("op");
    op.send("JOIN #private");
    await op.expect(/ 366 op #private /);
    op.send("MODE #private +i");
    await op.expect(/MODE #private \+i/);
    op.send("PRIVMSG #private :members only");
    const outsider = await t.client("outsider", { caps: HISTORY_CAPS });
    outsider.send("CHATHISTORY LATEST #private * 10");
    await outsider.expect(/ FAIL CHATHISTORY INVALID_TARGET LATEST #private :/);
    outsider.send("CHATHISTORY LATEST #nonexistent * 10");
    await outsider.expect(/ FAIL CHATHISTORY INVALID_TARGET LATEST #nonexistent :/);
  });

  // A secret room's existence is hidden from non-members (RFC 2811 4.2.6: "the
  // server will act as if the channel does not exist"); its history must be
  // too, and the chathistory spec's security section says users must not
  // obtain history they are not authorised to view.
  test("a secret room's history is an INVALID_TARGET to a non-member, as a room that does not exist", async () => {
    t = await startTestServer({
      store: new SqliteStore({ path: join(dir, `s${++dbCount}.db`), history: 100 }),
    });
    const op = await t.client("op");
    op.send("JOIN #hidden");
    await op.expect(/ 366 op #hidden /);
    op.send("MODE #hidden +s");
    await op.expect(/MODE #hidden \+s/);
    op.send("PRIVMSG #hidden :members only");
    const outsider = await t.client("outsider", { caps: HISTORY_CAPS });
    outsider.send("CHATHISTORY LATEST #hidden * 10");
    const answer = await outsider.expect(/ CHATHISTORY | BATCH /);
    expect(answer).toMatch(/ FAIL CHATHISTORY INVALID_TARGET LATEST #hidden :/);
    outsider.send("JOIN #hidden");
    await outsider.expect(/ 366 outsider #hidden /);
    outsider.send("CHATHISTORY LATEST #hidden * 10");
    await outsider.expect(/ PRIVMSG #hidden :members only$/);
  });
});
