import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  DEFAULT_MAX_LINE_BYTES,
  type FrameEvent,
  LineFramer,
  TelnetFilter,
} from "../../../src/protocol/framing.ts";

const enc = new TextEncoder();

function lines(events: FrameEvent[]): string[] {
  return events.flatMap((e) => (e.kind === "line" ? [e.line] : []));
}

function feed(framer: LineFramer, chunks: Uint8Array[]): FrameEvent[] {
  return chunks.flatMap((c) => framer.push(c));
}

/** Cut `bytes` at the given offsets (sorted, deduplicated) into consecutive chunks. */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  chunks.push(bytes.subarray(prev));
  return chunks;
}

describe("LineFramer", () => {
  test("splits on CRLF and on bare LF, dropping the CR", () => {
    const f = new LineFramer();
    expect(lines(f.push(enc.encode("NICK a\r\nUSER a 0 * :A\nPING x\r\n")))).toEqual([
      "NICK a",
      "USER a 0 * :A",
      "PING x",
    ]);
  });

  test("keeps no state between chunks once its lines are complete (idle connections hold none)", () => {
    const f = new LineFramer(20, { telnet: true });
    f.push(enc.encode("PRIVMSG #r :hel"));
    expect(f.frameHold).toBeDefined();
    expect(lines(f.push(enc.encode("lo\r\n")))).toEqual(["PRIVMSG #r :hello"]);
    expect(f.frameHold).toBeUndefined();
    // An overlong line is skipped to its end, reported once, and leaves nothing behind.
    expect(f.push(enc.encode("x".repeat(30)))).toEqual([]);
    expect(f.push(enc.encode("yyy\nok\n"))).toEqual([
      { kind: "overlong", bytes: 34 },
      { kind: "line", line: "ok" },
    ]);
    expect(f.frameHold).toBeUndefined();
    // A telnet peer keeps its filter: its next IAC sequence may be split across chunks.
    expect(lines(f.push(new Uint8Array([0xff, 0xfb, 0x01, 0x61, 0x0a])))).toEqual(["a"]);
    expect(f.frameHold).toBeDefined();
  });

  test("holds an incomplete line until its LF arrives", () => {
    const f = new LineFramer();
    expect(f.push(enc.encode("PRIVMSG #r :hel"))).toEqual([]);
    expect(f.buffered).toBe(15);
    expect(lines(f.push(enc.encode("lo\r")))).toEqual([]);
    expect(lines(f.push(enc.encode("\n")))).toEqual(["PRIVMSG #r :hello"]);
    expect(f.buffered).toBe(0);
  });

  test("an empty line is delivered as an empty string (the session decides to ignore it)", () => {
    expect(lines(new LineFramer().push(enc.encode("\r\n\nA\r\n")))).toEqual(["", "", "A"]);
  });

  test("a bare CR inside a line is kept for the session to refuse, not treated as an end", () => {
    expect(lines(new LineFramer().push(enc.encode("a\rb\r\n")))).toEqual(["a\rb"]);
  });

  test("a multi-byte UTF-8 character split at every possible byte arrives whole", () => {
    const text = "PRIVMSG #r :h\u00e9 \u20ac \u{1f600} \u6f22\u5b57";
    const bytes = enc.encode(`${text}\r\n`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const f = new LineFramer();
      const got = lines(feed(f, [bytes.subarray(0, cut), bytes.subarray(cut)]));
      expect(got).toEqual([text]);
    }
    // And one byte at a time.
    const f = new LineFramer();
    const got = lines(
      feed(
        f,
        [...bytes].map((b) => Uint8Array.of(b)),
      ),
    );
    expect(got).toEqual([text]);
  });

  test("invalid UTF-8 never throws: bad bytes become U+FFFD and the next line is intact", () => {
    const f = new LineFramer();
    const bad = Uint8Array.of(0x61, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x0a);
    const events = f.push(bad);
    expect(lines(events)).toHaveLength(1);
    expect(lines(events)[0]).toContain("\ufffd");
    expect(lines(f.push(enc.encode("ok\r\n")))).toEqual(["ok"]);
  });

  test("the caller may reuse its buffer after push: held bytes were copied", () => {
    const f = new LineFramer();
    const buf = enc.encode("hello ");
    f.push(buf);
    buf.fill(0x21);
    expect(lines(f.push(enc.encode("world\n")))).toEqual(["hello world"]);
  });

  test("a line of exactly the limit is accepted, with LF or CRLF; one byte more is overlong", () => {
    const f = new LineFramer(16);
    const exact = "x".repeat(16);
    expect(lines(f.push(enc.encode(`${exact}\n`)))).toEqual([exact]);
    expect(lines(f.push(enc.encode(`${exact}\r\n`)))).toEqual([exact]);
    // CR and LF in separate chunks: the CR is not counted against the limit either.
    expect(lines(feed(f, [enc.encode(`${exact}\r`), enc.encode("\n")]))).toEqual([exact]);
    const over = f.push(enc.encode(`${exact}y\r\n`));
    expect(over).toEqual([{ kind: "overlong", bytes: 19 }]);
  });

  test("an overlong line in one chunk is reported once and the next line is intact", () => {
    const f = new LineFramer(32);
    const events = f.push(enc.encode(`${"a".repeat(100)}\r\nPING ok\r\n`));
    expect(events).toEqual([
      { kind: "overlong", bytes: 102 },
      { kind: "line", line: "PING ok" },
    ]);
  });

  test("an overlong line streamed in many chunks is reported once, then framing resumes", () => {
    const f = new LineFramer(64);
    const events: FrameEvent[] = [];
    events.push(...f.push(enc.encode("PRIVMSG #r :")));
    for (let i = 0; i < 50; i++) events.push(...f.push(enc.encode("z".repeat(40))));
    events.push(...f.push(enc.encode("tail\r\nNEXT line\r\n")));
    expect(events.filter((e) => e.kind === "overlong")).toEqual([
      { kind: "overlong", bytes: 12 + 50 * 40 + "tail\r\n".length },
    ]);
    expect(lines(events)).toEqual(["NEXT line"]);
  });

  test("memory stays bounded while a never-ending line streams in", () => {
    const f = new LineFramer();
    const chunk = new Uint8Array(4096).fill(0x41);
    let maxHeld = 0;
    // 40 MiB without a newline: the framer must drop, not hold, what is past the limit.
    for (let i = 0; i < 10_240; i++) {
      expect(f.push(chunk)).toEqual([]);
      maxHeld = Math.max(maxHeld, f.buffered);
    }
    expect(maxHeld).toBeLessThanOrEqual(DEFAULT_MAX_LINE_BYTES + 1);
    const events = f.push(enc.encode("\nQUIT\r\n"));
    expect(events.filter((e) => e.kind === "overlong")).toHaveLength(1);
    expect(lines(events)).toEqual(["QUIT"]);
  });

  test("property: any chunking of a byte stream yields the same events as one chunk", () => {
    const lineText = fc
      .string({ unit: "grapheme", maxLength: 40 })
      .filter((s) => !/[\r\n]/.test(s));
    const stream = fc
      .array(fc.tuple(lineText, fc.constantFrom("\n", "\r\n")), { maxLength: 12 })
      .map((ls) => enc.encode(ls.map(([l, end]) => l + end).join("")));
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const whole = new LineFramer(48).push(bytes);
        const pieces = feed(new LineFramer(48), splitAt(bytes, cuts));
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });

  test("property: arbitrary bytes in arbitrary chunks never throw and never exceed the bound", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bytes, cuts) => {
          const f = new LineFramer(64);
          for (const c of splitAt(bytes, cuts)) {
            f.push(c);
            expect(f.buffered).toBeLessThanOrEqual(65);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// What PuTTY sends unasked when it connects in telnet mode (abridged), plus a subnegotiation.
const PUTTY_HELLO = new Uint8Array([
  ...[255, 251, 31], // IAC WILL NAWS
  ...[255, 251, 32], // IAC WILL TSPEED
  ...[255, 251, 24], // IAC WILL TTYPE
  ...[255, 251, 39], // IAC WILL NEW-ENVIRON
  ...[255, 253, 1], // IAC DO ECHO
  ...[255, 251, 3], // IAC WILL SGA
  ...[255, 250, 31, 0, 80, 0, 24, 255, 240], // IAC SB NAWS 80x24 IAC SE
]);

describe("telnet negotiation", () => {
  test("a telnet client's negotiation before its first line is removed", () => {
    const f = new LineFramer(DEFAULT_MAX_LINE_BYTES, { telnet: true });
    const bytes = new Uint8Array([...PUTTY_HELLO, ...enc.encode("alice\r\n")]);
    expect(lines(f.push(bytes))).toEqual(["alice"]);
  });

  test("commands inside a line (interrupt, erase) vanish; IAC IAC is one invalid byte", () => {
    const f = new LineFramer(DEFAULT_MAX_LINE_BYTES, { telnet: true });
    const bytes = new Uint8Array([
      ...enc.encode("hel"),
      ...[255, 244], // IAC IP (Ctrl-C in telnet)
      ...enc.encode("lo "),
      ...[255, 255], // IAC IAC: a literal 0xFF
      ...enc.encode("\n"),
    ]);
    expect(lines(f.push(bytes))).toEqual(["hello \ufffd"]);
  });

  test("stray 0xFF bytes that are not a real telnet sequence still show as replaced", () => {
    const f = new LineFramer(DEFAULT_MAX_LINE_BYTES, { telnet: true });
    // IAC DONT with no such option, then IAC followed by a letter.
    const got = lines(f.push(Uint8Array.of(0x61, 255, 254, 0xc3, 0x28, 255, 0x41, 10)));
    expect(got).toEqual(["a\ufffd\ufffd\ufffd(\ufffdA"]);
  });

  test("without the option, framing is byte-transparent (the client side)", () => {
    const f = new LineFramer();
    expect(lines(f.push(Uint8Array.of(255, 251, 0x41, 10)))).toEqual(["\ufffd\ufffdA"]);
  });

  test("UTF-8 text passes through untouched, the same buffer", () => {
    const t = new TelnetFilter();
    const bytes = enc.encode("héllo wörld 😀\r\n");
    expect(t.push(bytes)).toBe(bytes);
  });

  test("an unterminated subnegotiation does not swallow the session", () => {
    const f = new LineFramer(DEFAULT_MAX_LINE_BYTES, { telnet: true });
    f.push(Uint8Array.of(255, 250, 24));
    f.push(new Uint8Array(2000).fill(0x41));
    expect(lines(f.push(enc.encode("\nstill here\n")))).toContain("still here");
  });

  test("property: the filter gives the same bytes however arbitrary input is chunked", () => {
    // Bytes biased towards 0xFF and the command range, where the state machine lives.
    const byte = fc.oneof(fc.constantFrom(255, 250, 240, 251, 254, 244, 31, 0xc3), fc.nat(255));
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (arr, cuts) => {
          const bytes = Uint8Array.from(arr);
          const whole = new TelnetFilter().push(bytes);
          const t = new TelnetFilter();
          const pieces = splitAt(bytes, cuts).flatMap((c) => [...t.push(c)]);
          expect(pieces).toEqual([...whole]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("property: any chunking of negotiation plus text gives the same lines", () => {
    const text = fc
      .array(
        fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s)),
        { maxLength: 5 },
      )
      .map((ls) => enc.encode(ls.map((l) => `${l}\r\n`).join("")));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (body, cuts) => {
        const bytes = new Uint8Array([...PUTTY_HELLO, ...body]);
        const whole = new LineFramer(DEFAULT_MAX_LINE_BYTES, { telnet: true }).push(body);
        const f = new LineFramer(DEFAULT_MAX_LINE_BYTES, { telnet: true });
        expect(feed(f, splitAt(bytes, cuts))).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });
});

describe("UTF-8 validity", () => {
  test("a line that is not UTF-8 is marked; valid ones are not", () => {
    const f = new LineFramer();
    const events = f.push(new Uint8Array([0x61, 0xe9, 0x62, 0x0a, 0xc3, 0xa9, 0x0a]));
    expect(events).toEqual([
      { kind: "line", line: "a\uFFFDb", invalidUtf8: true },
      { kind: "line", line: "é" },
    ]);
  });
});
