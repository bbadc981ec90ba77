/**
 * The core over fake connections (no sockets): fan-out serializes a room message
 * once per output variant and queues the SAME bytes to every member of that variant.
 */
import { afterEach, expect, test } from "bun:test";
import { Core, type CoreOptions } from "../../../src/core/core.ts";
import type { Session } from "../../../src/core/state.ts";
import { ircFront } from "../../../src/fronts/irc/front.ts";
import { MemoryStore } from "../../../src/store/memory.ts";
import type { Conn } from "../../../src/transport/conn.ts";

class FakeConn implements Conn {
  readonly sent: Uint8Array[] = [];
  closed = false;
  constructor(readonly remoteAddress = "127.0.0.1") {}
  get queuedBytes(): number {
    return 0;
  }
  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }
  close(): void {
    this.closed = true;
  }
  text(): string {
    return this.sent.map((b) => new TextDecoder().decode(b)).join("");
  }
}

let server: Core | undefined;

function core(opts: Partial<CoreOptions> = {}): Core {
  return new Core({ store: new MemoryStore({ history: 10 }), fronts: { irc: ircFront }, ...opts });
}
afterEach(() => {
  server?.shutdown();
  server = undefined;
});

function connect(srv: Core, nick: string, caps: string[] = []): { conn: FakeConn; s: Session } {
  const conn = new FakeConn();
  const s = srv.accept(conn) as Session;
  if (caps.length > 0) s.line(`CAP REQ :${caps.join(" ")}`);
  s.line(`NICK ${nick}`);
  s.line(`USER ${nick} 0 * :${nick}`);
  if (caps.length > 0) s.line("CAP END");
  s.line("JOIN #big");
  conn.sent.length = 0;
  return { conn, s };
}

test("a room message is serialized once per variant and shared by reference", () => {
  server = core({ limits: { floodLimit: false } });
  const sender = connect(server, "sender");
  const plainA = connect(server, "a");
  const plainB = connect(server, "b");
  const timedA = connect(server, "c", ["server-time"]);
  const timedB = connect(server, "d", ["server-time"]);
  const tagged = connect(server, "e", ["server-time", "message-tags"]);

  for (const c of [sender, plainA, plainB, timedA, timedB, tagged]) c.conn.sent.length = 0;
  sender.s.line("PRIVMSG #big :one copy");

  const [a] = plainA.conn.sent;
  const [b] = plainB.conn.sent;
  expect(a).toBeDefined();
  expect(a).toBe(b as Uint8Array); // the very same Uint8Array, not an equal copy
  expect(timedA.conn.sent[0]).toBe(timedB.conn.sent[0] as Uint8Array);
  expect(timedA.conn.sent[0]).not.toBe(a as Uint8Array);
  expect(plainA.conn.text()).toBe(":sender!~sender@127.0.0.1 PRIVMSG #big :one copy\r\n");
  expect(timedA.conn.text()).toMatch(/^@time=\S+ :sender!\S+ PRIVMSG #big :one copy\r\n$/);
  expect(tagged.conn.text()).toMatch(/^@time=\S+;msgid=\S+ :sender!/);
  // No echo to the sender without echo-message.
  expect(sender.conn.sent.length).toBe(0);
});

test("a quit reaches each room-mate once even when they share several rooms", () => {
  server = core({ limits: { floodLimit: false } });
  const a = connect(server, "a");
  const b = connect(server, "b");
  a.s.line("JOIN #two");
  b.s.line("JOIN #two");
  b.conn.sent.length = 0;
  a.s.line("QUIT :bye");
  const quits = b.conn
    .text()
    .split("\r\n")
    .filter((l) => l.includes(" QUIT "));
  expect(quits).toEqual([":a!~a@127.0.0.1 QUIT :Quit: bye"]);
});

test("hosts are IRC-safe: IPv4-mapped addresses shown as IPv4, ::1 without a leading colon", () => {
  server = core();
  const mapped = server.accept(new FakeConn("::ffff:192.0.2.7")) as Session;
  const v6 = server.accept(new FakeConn("::1")) as Session;
  expect(mapped.host).toBe("192.0.2.7");
  expect(v6.host).toBe("0::1");
});

test("a command's replies and its own events (JOIN, echo) arrive in the order they happened", () => {
  server = core({ limits: { floodLimit: false } });
  const conn = new FakeConn();
  const s = server.accept(conn) as Session;
  s.line("CAP REQ :echo-message");
  s.line("NICK solo");
  s.line("USER solo 0 * :solo");
  s.line("CAP END");
  conn.sent.length = 0;
  s.line("JOIN #a,#b");
  const lines = conn
    .text()
    .split("\r\n")
    .filter((l) => l !== "");
  expect(lines.map((l) => l.replace(/^:\S+ /, "").replace(/ :.*$/, ""))).toEqual([
    "JOIN #a",
    "353 solo = #a",
    "366 solo #a",
    "JOIN #b",
    "353 solo = #b",
    "366 solo #b",
  ]);
  conn.sent.length = 0;
  s.line("PRIVMSG #a :hello");
  s.line("PING :x");
  expect(conn.text()).toMatch(/^:solo!\S+ PRIVMSG #a :hello\r\n:\S+ PONG \S+ :?x\r\n$/);
});

test("each event is rendered afresh for every variant: no member gets the previous event's bytes", () => {
  server = core({ limits: { floodLimit: false } });
  const sender = connect(server, "sender", ["echo-message"]);
  const plain = connect(server, "a");
  const timed = connect(server, "b", ["server-time"]);
  const tagged = connect(server, "c", ["server-time", "message-tags"]);
  const all = [sender, plain, timed, tagged];
  for (const text of ["first", "second", "third"]) {
    for (const c of all) c.conn.sent.length = 0;
    sender.s.line(`PRIVMSG #big :${text}`);
    for (const c of all) expect(c.conn.text()).toEndWith(`PRIVMSG #big :${text}\r\n`);
  }
  // Then a private message through the nick topic, and the room again after it.
  for (const c of all) c.conn.sent.length = 0;
  sender.s.line("PRIVMSG b :just you");
  expect(timed.conn.text()).toEndWith("PRIVMSG b :just you\r\n");
  sender.s.line("PRIVMSG #big :fourth");
  for (const c of [plain, tagged]) expect(c.conn.text()).toEndWith("PRIVMSG #big :fourth\r\n");
  expect(timed.conn.text()).toEndWith("PRIVMSG #big :fourth\r\n");
});
