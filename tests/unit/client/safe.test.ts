import { describe, expect, test } from "bun:test";
import type { ClientEvent } from "../../../src/client/events.ts";
import { pipeOutput } from "../../../src/client/pipe.ts";
import { describe as describeEvent, formatTerminal } from "../../../src/client/ui/format.ts";
import { clean, safeEvent } from "../../../src/client/ui/safe.ts";
import { safeJson } from "../../../src/protocol/text.ts";

/** Everything a hostile sender might put in a field, and the text that should survive. */
const HOSTILE =
  "a\x1b[31337;1Hb\x1b]0;PWNED\x07c\x1b]52;c;UFdORUQ=\x1b\\d\x1bP+q544e\x1b\\e\x9b2Jf\x9d0;t\x9cg\u202eh\u2066i\x1bcj";
const SAFE = "abcdefghij";

describe("clean: terminal sequences go whole, parameters included", () => {
  test.each([
    ["CSI", "x\x1b[2Jy", "xy"],
    ["CSI with private parameters", "x\x1b[?1049hy", "xy"],
    ["C1 CSI", "x\x9b6ny", "xy"],
    ["OSC ended by BEL", "x\x1b]2;title\x07y", "xy"],
    ["OSC ended by ST", "x\x1b]52;c;aGk=\x1b\\y", "xy"],
    ["OSC left open to the end", "x\x1b]0;rest of line", "x"],
    ["DCS", "x\x1bPq#0;2;0;0;0\x1b\\y", "xy"],
    ["C1 OSC ended by C1 ST", "x\x9d0;t\x9cy", "xy"],
    ["two-byte ESC (reset terminal)", "x\x1bcy", "xy"],
    ["lone ESC at the end", "x\x1b", "x"],
    [
      "bidi overrides and isolates",
      "x\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069y",
      "xy",
    ],
    ["C0 and DEL", "x\x00\x07\x08\x7fy", "xy"],
  ])("%s", (_what, input, out) => {
    expect(clean(input)).toBe(out);
  });

  test("ordinary text, brackets and emoji are kept", () => {
    expect(clean("[2J] is not a sequence 👋 漢字")).toBe("[2J] is not a sequence 👋 漢字");
  });

  test("the whole hostile sample", () => {
    expect(clean(HOSTILE)).toBe(SAFE);
  });
});

function events(): ClientEvent[] {
  const time = new Date(2026, 0, 1, 10, 0);
  const h = HOSTILE;
  return [
    {
      type: "message",
      kind: "privmsg",
      time,
      room: h,
      nick: h,
      text: h,
      self: false,
      history: false,
      mention: false,
    },
    { type: "join", time, room: h, nick: h, self: false, text: h },
    { type: "kick", time, room: h, nick: h, self: false, text: h, target: h },
    { type: "quit", time, nick: h, text: h, rooms: [h] },
    { type: "nick", time, nick: h, newNick: h, self: false, rooms: [h] },
    { type: "topic", time, room: h, nick: h, text: h },
    { type: "names", time, room: h, nicks: [h, h], prefixes: new Map([[h, h]]) },
    { type: "info", time, room: h, text: h },
    { type: "error", time, text: h },
    { type: "status", time, text: h },
  ];
}

const RAW = /[\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]|PWNED|31337|UFdORUQ/;

describe("safeEvent cleans every string of every event", () => {
  for (const ev of events()) {
    test(ev.type, () => {
      expect(JSON.stringify(safeEvent(ev), (_k, v) => (v instanceof Map ? [...v] : v))).not.toMatch(
        RAW,
      );
      expect(describeEvent(ev) ?? "").not.toMatch(RAW);
      const plain = formatTerminal(ev, { cols: 200, colour: false, current: undefined }).join("\n");
      expect(plain).not.toMatch(RAW);
      if (ev.type !== "names") expect(plain).toContain(SAFE);
      const out = pipeOutput(ev, false);
      expect(`${out.out ?? ""}${out.err ?? ""}`).not.toMatch(RAW);
    });
  }
});

describe("--json escapes what JSON.stringify leaves raw", () => {
  test("C1, bidi and DEL become \\u escapes and the value is unchanged", () => {
    const v = { text: HOSTILE };
    const line = safeJson(v);
    expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(line).toContain("\\u202e");
    expect(line).toContain("\\u009b");
    expect(JSON.parse(line)).toEqual(v);
  });

  test("pipe --json output carries the text exactly, escaped", () => {
    const [msg] = events();
    const out = pipeOutput(msg as ClientEvent, true).out ?? "";
    expect(out).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(out).text).toBe(HOSTILE);
  });
});
