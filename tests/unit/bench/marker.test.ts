import { describe, expect, test } from "bun:test";
import { formatMarker, MarkerScanner } from "../../../bench/lib/marker.ts";

interface Seen {
  markers: Array<[number, number, number]>;
  pings: string[];
  errors: string[];
}

function scanner(): { s: MarkerScanner; seen: Seen } {
  const seen: Seen = { markers: [], pings: [], errors: [] };
  const s = new MarkerScanner({
    marker: (step, sender, us) => seen.markers.push([step, sender, us]),
    ping: (arg) => seen.pings.push(arg),
    error: (line) => seen.errors.push(line),
  });
  return { s, seen };
}

const STREAM =
  `@time=2026-11-25T18:00:00.000Z :a!a@h PRIVMSG #r :${formatMarker(3, 17, 1764093000123456)} xxxx\r\n` +
  "PING :bench.server\r\n" +
  `:b!b@h PRIVMSG #r :${formatMarker(3, 4, 1764093000123999)} yy\r\n` +
  `12:01 <carol> ${formatMarker(4, 250, 42)} plain-text line\n`;

const EXPECTED: Array<[number, number, number]> = [
  [3, 17, 1764093000123456],
  [3, 4, 1764093000123999],
  [4, 250, 42],
];

describe("benchmark marker scanner", () => {
  test("finds every marker and PING in IRC and plain-text lines", () => {
    const { s, seen } = scanner();
    s.feed(Buffer.from(STREAM));
    expect(seen.markers).toEqual(EXPECTED);
    expect(seen.pings).toEqual([":bench.server"]);
  });

  test("a stream cut at any byte, in two or three pieces, yields the same markers once", () => {
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { s, seen } = scanner();
      s.feed(bytes.subarray(0, cut));
      s.feed(bytes.subarray(cut));
      expect(seen.markers).toEqual(EXPECTED);
      expect(seen.pings).toEqual([":bench.server"]);
    }
    for (let cut = 1; cut + 7 < bytes.length; cut += 5) {
      const { s, seen } = scanner();
      s.feed(bytes.subarray(0, cut));
      s.feed(bytes.subarray(cut, cut + 7));
      s.feed(bytes.subarray(cut + 7));
      expect(seen.markers).toEqual(EXPECTED);
    }
  });

  test("a partial last line is not counted until its end arrives", () => {
    const { s, seen } = scanner();
    s.feed(Buffer.from(`:a PRIVMSG #r :${formatMarker(1, 2, 300)}`));
    expect(seen.markers).toEqual([]);
    s.feed(Buffer.from("99 tail\r\n"));
    expect(seen.markers).toEqual([[1, 2, 30099]]);
  });

  test("reports the server's ERROR line, so a dropped client's reason is known", () => {
    const { s, seen } = scanner();
    s.feed(Buffer.from(`:a PRIVMSG #r :${formatMarker(1, 2, 3)}\r\nERROR :SendQ exceeded\r\n`));
    expect(seen.errors).toEqual(["ERROR :SendQ exceeded"]);
    expect(seen.markers).toEqual([[1, 2, 3]]);
  });

  test("text that merely contains %% or PING is not a marker or a PING", () => {
    const { s, seen } = scanner();
    s.feed(
      Buffer.from(
        ":a PRIVMSG #r :100%% sure, STOPPING now, no TERROR here\r\n:a PRIVMSG #r :%%5 no sender\r\n",
      ),
    );
    expect(seen.markers).toEqual([]);
    expect(seen.pings).toEqual([]);
    expect(seen.errors).toEqual([]);
  });
});
