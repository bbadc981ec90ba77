/**
 * Fuzz suite: many clients at once send random and mutated IRC lines, split at
 * random byte boundaries; afterwards the server must still be up, answer a new
 * well-formed client, and deliver room messages between well-formed clients
 * who were connected the whole time. Bounded: a fixed number of bytes per
 * client and a wall-clock cap. The seed is printed; FUZZ_SEED=<n> replays it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { LineClient, opensslCert, type TestCert } from "./security/helpers.ts";

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FUZZ_CLIENTS = 40;
const BYTES_PER_CLIENT = 48 * 1024;
const WALL_CAP_MS = 4_000;

/** mulberry32: tiny, seedable, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = new TextEncoder();

/** Lines a real client might send, including every command the server knows. */
const CORPUS = [
  "CAP LS 302",
  "CAP REQ :message-tags server-time echo-message batch away-notify multi-prefix userhost-in-names",
  "CAP END",
  "PASS hunter2",
  "NICK fuzzer",
  "USER fuzz 0 * :Fuzz Er",
  "PING :token",
  "PONG :token",
  "JOIN #fuzz",
  "JOIN #a,#b,#c key1,key2",
  "JOIN 0",
  "PART #fuzz :bye",
  "PRIVMSG #fuzz :hello there",
  "PRIVMSG alice,bob,#fuzz :multi",
  "NOTICE #fuzz :notice",
  "PRIVMSG #fuzz :\x01ACTION waves\x01",
  "@+draft/reply=abc;label=x PRIVMSG #fuzz :tagged",
  ":spoof!x@y PRIVMSG #fuzz :spoofed source",
  "TOPIC #fuzz :new topic",
  "TOPIC #fuzz",
  "NAMES #fuzz",
  "LIST",
  "WHO #fuzz",
  "WHO alice",
  "WHOIS alice",
  "WHOWAS alice",
  "MODE #fuzz +o fuzzer",
  "MODE #fuzz +mntik+lb key 5 *!*@*",
  "MODE #fuzz -v+v alice bob",
  "MODE fuzzer +iw",
  "MODE #fuzz b",
  "KICK #fuzz alice :go away",
  "INVITE alice #fuzz",
  "AWAY :gone",
  "AWAY",
  "OPER root wrong",
  "KILL alice :die",
  "KLINE *!*@* :everyone",
  "DLINE 127.0.0.0/8 :loopback",
  "MOTD",
  "LUSERS",
  "CHATHISTORY LATEST #fuzz * 50",
  "CHATHISTORY BEFORE #fuzz msgid=zzz 10",
  "QUIT :bye",
  // Streams that do not start with IRC registration become plain-text humans:
  // their slash commands get fuzzed too.
  "/nick fuzzy",
  "/join #fuzz",
  "/part",
  "/msg alice hi",
  "/me waves",
  "/who",
  "/topic new",
  "/rooms",
  "/away brb",
  "/query bob",
  "/kick alice",
  "/ban bob",
  "/mute",
  "/unmute alice",
  "/help",
  "//not a command",
];

const INTERESTING_BYTES = [
  0x00, 0x01, 0x07, 0x0d, 0x0a, 0x20, 0x3a, 0x40, 0x23, 0x2c, 0x7f, 0x80, 0xc0, 0xc3, 0xe2, 0xf0,
  0xf8, 0xff,
];

function mutate(rand: () => number, line: Uint8Array): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  const bytes = Array.from(line);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(bytes.length + 1);
    switch (pick(9)) {
      case 0: // flip a bit
        if (bytes.length > 0)
          bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ (1 << pick(8));
        break;
      case 1: // insert an interesting byte
        bytes.splice(at, 0, INTERESTING_BYTES[pick(INTERESTING_BYTES.length)] as number);
        break;
      case 2: // delete a run
        bytes.splice(at, 1 + pick(8));
        break;
      case 3: // duplicate a run many times (long params, many params)
        bytes.splice(
          at,
          0,
          ...Array(1 + pick(200))
            .fill(bytes.slice(at, at + 1 + pick(6)))
            .flat(),
        );
        break;
      case 4: // truncate
        bytes.length = at;
        break;
      case 5: // many spaces-separated params
        bytes.splice(at, 0, ...enc.encode(" x".repeat(pick(40))));
        break;
      case 6: // random bytes
        for (let i = pick(16); i > 0; i--) bytes.splice(at, 0, pick(256));
        break;
      case 7: // an overlong UTF-8 or a lone continuation byte
        bytes.splice(
          at,
          0,
          ...([[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80]][
            pick(4)
          ] as number[]),
        );
        break;
      default: // splice in another corpus line
        bytes.splice(at, 0, ...enc.encode(CORPUS[pick(CORPUS.length)] as string));
    }
  }
  return Uint8Array.from(bytes);
}

/** One fuzz client's byte stream: registration attempts, then mixed lines. */
function fuzzStream(rand: () => number, id: number, size: number): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  const parts: Uint8Array[] = [];
  let total = 0;
  const add = (b: Uint8Array): void => {
    parts.push(b);
    total += b.length;
  };
  // Some streams start like a TLS ClientHello (0x16) and go on with junk: the
  // listener's TLS sniffing and handshake error paths get fuzzed too.
  if (pick(8) === 0) {
    const junk = Array.from({ length: pick(300) }, () => pick(256));
    add(Uint8Array.from([0x16, 0x03, pick(4), pick(256), pick(256), ...junk]));
  } else if (pick(4) !== 0) {
    // Most clients register first so the post-registration handlers get fuzzed too.
    add(enc.encode(`NICK f${id}\r\nUSER f${id} 0 * :fuzz\r\nJOIN #fuzz\r\n`));
  }
  while (total < size) {
    const kind = pick(10);
    const eol = ["\r\n", "\n", "\r", ""][pick(4)] as string;
    if (kind < 4) {
      add(enc.encode(`${CORPUS[pick(CORPUS.length)] as string}\r\n`));
    } else if (kind < 8) {
      add(mutate(rand, enc.encode(CORPUS[pick(CORPUS.length)] as string)));
      add(enc.encode(eol));
    } else if (kind === 8) {
      add(Uint8Array.from({ length: pick(600) }, () => pick(256)));
    } else {
      // A line past every limit, sometimes without an end.
      add(enc.encode(`PRIVMSG #fuzz :${"A".repeat(400 + pick(10_000))}${eol}`));
    }
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const servers: TestServer[] = [];
let cert: TestCert | undefined;
const clients: LineClient[] = [];

beforeAll(() => {
  cert = opensslCert();
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.stop();
  cert?.cleanup();
});

/** A server like `chat serve --tls`: plain front on (human detection is fuzzed too), TLS on the same port. */
async function fuzzServer(floodLimit: boolean): Promise<TestServer> {
  const c = cert as TestCert;
  const s = await startTestServer({
    limits: { floodLimit },
    plainFront: undefined,
    tls: { cert: c.cert, key: c.key },
  });
  servers.push(s);
  return s;
}

/**
 * Well-formed alice, bob (plain TCP) and dave (TLS) share #fuzz while the
 * fuzzers storm; alice also talks mid-storm every `stormEvery` turns (0: never).
 */
async function storm(server: TestServer, rand: () => number, stormEvery: number): Promise<void> {
  const alice = await LineClient.connect(server.port);
  const bob = await LineClient.connect(server.port);
  // Dave is on TLS, on the same port: encrypted and plain members share the room.
  const dave = await LineClient.connect(server.port, { tls: true });
  clients.push(alice, bob, dave);
  await alice.register("alice");
  await bob.register("bob");
  await dave.register("dave");
  alice.send("JOIN #fuzz");
  await alice.waitFor("alice in #fuzz", (l) => / 366 alice #fuzz /.test(l));
  bob.send("JOIN #fuzz");
  await bob.waitFor("bob in #fuzz", (l) => / 366 bob #fuzz /.test(l));
  dave.send("JOIN #fuzz");
  await dave.waitFor("dave in #fuzz", (l) => / 366 dave #fuzz /.test(l));

  const deadline = Date.now() + WALL_CAP_MS;
  const fuzzers = await Promise.all(
    Array.from({ length: FUZZ_CLIENTS }, () => LineClient.connect(server.port)),
  );
  clients.push(...fuzzers);
  const streams = fuzzers.map((_, i) => fuzzStream(rand, i, BYTES_PER_CLIENT));
  const offsets = fuzzers.map(() => 0);
  let sent = 0;
  let stormSent = 0;
  // Round-robin: each turn every fuzzer writes a random-length slice, so
  // lines are split at arbitrary byte boundaries and interleave across clients.
  for (let turn = 0; Date.now() < deadline; turn++) {
    let active = 0;
    for (let i = 0; i < fuzzers.length; i++) {
      const f = fuzzers[i] as LineClient;
      const s = streams[i] as Uint8Array;
      const off = offsets[i] as number;
      if (f.closed || off >= s.length) continue;
      active++;
      const len = 1 + Math.floor(rand() * 700);
      const n = f.writeRaw(s.subarray(off, off + len));
      if (n > 0) {
        offsets[i] = off + n;
        sent += n;
      }
    }
    // Alice keeps talking mid-storm; bob must get every one of these.
    if (stormEvery > 0 && turn % stormEvery === 0) {
      alice.send(`PRIVMSG #fuzz :storm ${stormSent}`);
      stormSent++;
    }
    if (active === 0) break;
    await Bun.sleep(1);
  }
  console.log(`fuzz: ${sent} bytes from ${FUZZ_CLIENTS} clients`);
  expect(sent).toBeGreaterThan(FUZZ_CLIENTS * 1024);

  // The server is up and answers a brand-new well-formed client.
  const carol = await LineClient.connect(server.port);
  clients.push(carol);
  await carol.register("w3llformed");
  carol.send("PING :still-alive");
  await carol.waitFor("PONG", (l) => l.includes("PONG") && l.includes("still-alive"));

  // Well-formed clients connected through the storm still hear each other.
  alice.send("PRIVMSG #fuzz :after the storm from alice");
  await bob.waitFor("alice's message", (l) => l.includes("after the storm from alice"));
  bob.send("PRIVMSG #fuzz :after the storm from bob");
  await alice.waitFor("bob's message", (l) => l.includes("after the storm from bob"));
  await dave.waitFor("bob's message over TLS", (l) => l.includes("after the storm from bob"));
  dave.send("PRIVMSG #fuzz :after the storm from dave");
  await alice.waitFor("dave's message", (l) => l.includes("after the storm from dave"));
  if (stormSent > 0) {
    await bob.waitFor("the last storm message", (l) => l.endsWith(` :storm ${stormSent - 1}`));
    const storm = bob.lines.filter((l) => / PRIVMSG #fuzz :storm \d+$/.test(l));
    expect(storm.length).toBe(stormSent);
    await dave.waitFor("the last storm message over TLS", (l) =>
      l.endsWith(` :storm ${stormSent - 1}`),
    );
    expect(dave.lines.filter((l) => / PRIVMSG #fuzz :storm \d+$/.test(l)).length).toBe(stormSent);
  }
  expect(alice.closed || bob.closed || dave.closed).toBe(false);
}

describe(`fuzz (seed ${SEED}; replay with FUZZ_SEED=${SEED})`, () => {
  test("random and mutated lines from many clients neither crash the server nor disturb others", async () => {
    console.log(`fuzz seed: ${SEED}`);
    // Flood limiting off: every fuzzed line reaches a handler.
    await storm(await fuzzServer(false), prng(SEED), 10);
  }, 30_000);

  test("the same storm with flood limiting on (throttling, backlog and Excess Flood paths)", async () => {
    // Alice stays quiet mid-storm here: at storm pace the bucket would rightly cut her too.
    await storm(await fuzzServer(true), prng(SEED ^ 0x5bd1e995), 0);
  }, 30_000);
});
