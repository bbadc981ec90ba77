import { describe, expect, test } from "bun:test";
import { formatMarker, MarkerScanner } from "../../../bench/lib/marker.ts";
import { FrameReader } from "../../../bench/lib/ws-frames.ts";

/** A server frame (unmasked), as Bun's WebSocket server sends it. */
function serverFrame(payload: string | Buffer, opcode = 2): Buffer {
  const p = typeof payload === "string" ? Buffer.from(payload) : payload;
  const head =
    p.length < 126
      ? Buffer.from([0x80 | opcode, p.length])
      : Buffer.from([0x80 | opcode, 126, p.length >> 8, p.length & 0xff]);
  return Buffer.concat([head, p]);
}

const UPGRADE = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";

/** Pads a line to `len` bytes, so its frame's length byte is a chosen ASCII digit. */
function ofLength(line: string, len: number): string {
  return line + "x".repeat(len - line.length);
}

// Frames sit back to back with binary headers between them: a PING's argument must stop at
// its own frame's end, and "PING " inside a message (after "STOP") is not a PING. The second
// line is padded to 53 bytes, so its header's length byte is the ASCII digit "5".
const LINES = [
  `:a!a@h PRIVMSG #r :${formatMarker(3, 17, 1764093000123456)}`,
  ofLength(`:b PRIVMSG #r :${formatMarker(3, 4, 77)} `, 53),
  "PING :bench.server",
  `:c PRIVMSG #r :STOPPING ${formatMarker(4, 250, 42)}`,
  `:d PRIVMSG #r :${"y".repeat(300)} ${formatMarker(5, 1, 9)}`,
];
const EXPECTED: Array<[number, number, number]> = [
  [3, 17, 1764093000123456],
  [3, 4, 77],
  [4, 250, 42],
  [5, 1, 9],
];
const STREAM = Buffer.concat([
  Buffer.from(UPGRADE),
  serverFrame(LINES[0] as string),
  serverFrame(LINES[1] as string),
  serverFrame("", 9), // a WebSocket ping between messages
  serverFrame(LINES[2] as string, 1),
  serverFrame(LINES[3] as string),
  serverFrame(LINES[4] as string),
]);

interface Seen {
  opened: number;
  wsPings: number;
  failed: string[];
  markers: Array<[number, number, number]>;
  pings: string[];
  lines: string[];
}

/** A reader whose messages go to the batch scanner, as the load generator's do. */
function reader(): { r: FrameReader; seen: Seen } {
  const seen: Seen = { opened: 0, wsPings: 0, failed: [], markers: [], pings: [], lines: [] };
  const scanner = new MarkerScanner({
    marker: (step, sender, us) => seen.markers.push([step, sender, us]),
    ping: (arg) => seen.pings.push(arg),
    error: () => {},
  });
  const r = new FrameReader({
    open: () => seen.opened++,
    messages: (buf, starts, ends, n) => {
      for (let i = 0; i < n; i++) seen.lines.push(buf.toString("utf8", starts[i], ends[i]));
      scanner.frames(buf, starts, ends, 0, n);
    },
    ping: () => seen.wsPings++,
    fail: (why) => seen.failed.push(why),
  });
  return { r, seen };
}

describe("the load generator's WebSocket frame reader", () => {
  test("a stream cut at any byte yields every message, marker and ping once, in order", () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const { r, seen } = reader();
      r.feed(STREAM.subarray(0, cut));
      r.feed(STREAM.subarray(cut));
      expect(seen.opened).toBe(1);
      expect(seen.lines).toEqual(LINES);
      expect(seen.wsPings).toBe(1);
      expect(seen.failed).toEqual([]);
      expect(seen.markers).toEqual(EXPECTED);
      expect(seen.pings).toEqual([":bench.server"]);
    }
  });

  test("a stream fed a few bytes at a time still yields every message", () => {
    const { r, seen } = reader();
    for (let at = 0; at < STREAM.length; at += 3) r.feed(STREAM.subarray(at, at + 3));
    expect(seen.lines).toEqual(LINES);
    expect(seen.markers).toEqual(EXPECTED);
  });

  test("a refused upgrade, a close frame and an impossible frame each end the reader", () => {
    const refused = reader();
    refused.r.feed(Buffer.from("HTTP/1.1 403 Forbidden\r\n\r\n"));
    expect(refused.seen.failed).toEqual(["upgrade refused: HTTP/1.1 403 Forbidden"]);

    const closed = reader();
    closed.r.feed(
      Buffer.concat([
        Buffer.from(UPGRADE),
        serverFrame("one"),
        serverFrame(Buffer.from([0x03, 0xf1]), 8),
        serverFrame("after"),
      ]),
    );
    expect(closed.seen.lines).toEqual(["one"]);
    expect(closed.seen.failed).toEqual(["closed by the server (1009)"]);

    const huge = reader();
    const head = Buffer.from([0x82, 127, 0, 0, 0, 0, 0x10, 0, 0, 0]);
    huge.r.feed(Buffer.concat([Buffer.from(UPGRADE), head.subarray(0, 5)]));
    huge.r.feed(head.subarray(5));
    expect(huge.seen.failed).toEqual([`frame of ${0x10000000} bytes`]);
  });
});
