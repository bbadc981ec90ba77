import { describe, expect, test } from "bun:test";
import type { MessageEvent } from "../../../src/client/events.ts";
import {
  formatJson,
  formatPlain,
  formatTerminal,
  nickColour,
  wrapText,
} from "../../../src/client/ui/format.ts";
import { clean as sanitize } from "../../../src/client/ui/safe.ts";

const strip = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

function msg(over: Partial<MessageEvent> = {}): MessageEvent {
  return {
    type: "message",
    kind: "privmsg",
    time: new Date(2026, 10, 25, 9, 5),
    room: "#lobby",
    nick: "bob",
    text: "hello",
    self: false,
    history: false,
    mention: false,
    ...over,
  };
}

describe("plain (pipe) lines", () => {
  test("HH:MM <nick> text", () => {
    expect(formatPlain(msg())).toBe("09:05 <bob> hello");
  });

  test("actions and notices read differently", () => {
    expect(formatPlain(msg({ kind: "action", text: "waves" }))).toBe("09:05 * bob waves");
    expect(formatPlain(msg({ kind: "notice" }))).toBe("09:05 -bob- hello");
  });

  test("replayed history is marked ~ (and dated when older than today), so scripts can skip it", () => {
    const today = new Date(2026, 10, 25, 12, 0);
    expect(formatPlain(msg({ history: true }), undefined, today)).toBe("09:05~ <bob> hello");
    const older = msg({ history: true, time: new Date(2026, 10, 24, 9, 5) });
    expect(formatPlain(older, undefined, today)).toBe("11-24 09:05~ <bob> hello");
  });

  test("a message from another room than the current one is tagged", () => {
    expect(formatPlain(msg({ room: "#dev" }), "#lobby")).toBe("09:05 [#dev] <bob> hello");
  });

  test("terminal control sequences from the network are stripped", () => {
    expect(sanitize("a\x1b[2Jb\x07c\x0304,05red")).toBe("abcred");
  });
});

describe("terminal lines", () => {
  const f = { cols: 40, colour: true, current: "#lobby" };

  test("a quit shows what the person wrote, without IRC's 'Quit:' wrapper", () => {
    const q = (text: string): string =>
      formatTerminal(
        { type: "quit", time: new Date(2026, 10, 25, 9, 5), nick: "bob", text, rooms: ["#lobby"] },
        { cols: 120, colour: false, current: "#lobby" },
      ).join("");
    expect(q("Quit: Client quit")).toBe("09:05 * bob quit");
    expect(q("Quit: off to lunch")).toBe("09:05 * bob quit (off to lunch)");
    expect(q("Ping timeout: 180 seconds")).toBe("09:05 * bob quit (Ping timeout: 180 seconds)");
  });

  test("being kicked is said to you, in red, with the way back", () => {
    const ev = {
      type: "kick" as const,
      time: new Date(2026, 10, 25, 9, 5),
      room: "#mod",
      nick: "alice",
      self: true,
      target: "bob",
      text: "bye",
    };
    const lines = formatTerminal(ev, { cols: 120, colour: true, current: undefined });
    expect(strip(lines.join(""))).toBe(
      "09:05 * you were kicked from #mod by alice (bye); /join #mod to go back",
    );
    expect(lines[0]).toContain("\x1b[31m");
    const other = formatTerminal(
      { ...ev, self: false },
      { cols: 120, colour: false, current: "#mod" },
    );
    expect(other.join("")).toBe("09:05 * bob was kicked from #mod by alice (bye)");
  });

  test("a nick keeps its colour every time", () => {
    expect(nickColour("Bob")).toBe(nickColour("bob"));
    const a = formatTerminal(msg(), f).join("");
    const b = formatTerminal(msg({ text: "again" }), f).join("");
    expect(a).toContain(`\x1b[${nickColour("bob")}mbob`);
    expect(b).toContain(`\x1b[${nickColour("bob")}mbob`);
  });

  test("own lines use reverse video, others do not", () => {
    expect(formatTerminal(msg({ self: true, nick: "me" }), f).join("")).toContain("\x1b[7m<me>");
    expect(formatTerminal(msg(), f).join("")).not.toContain("\x1b[7m");
  });

  test("history from another day carries its date", () => {
    const old = msg({ history: true, time: new Date(2026, 10, 24, 18, 2) });
    const today = new Date(2026, 10, 25, 9, 0);
    expect(strip(formatTerminal(old, { ...f, today }).join(""))).toStartWith("11-24 18:02~");
    const same = msg({ history: true, time: new Date(2026, 10, 25, 8, 0) });
    expect(strip(formatTerminal(same, { ...f, today }).join(""))).toStartWith("08:00~");
  });

  test("history is marked; mentions are highlighted", () => {
    const today = msg().time;
    expect(strip(formatTerminal(msg({ history: true }), { ...f, today }).join(""))).toStartWith(
      "09:05~",
    );
    expect(formatTerminal(msg({ mention: true }), f).join("")).toContain("\x1b[1m");
  });

  test("joins and quits are dim one-liners", () => {
    const [line] = formatTerminal(
      {
        type: "join",
        time: new Date(2026, 0, 1, 10, 0),
        room: "#lobby",
        nick: "eve",
        self: false,
        text: "",
      },
      f,
    );
    expect(line).toStartWith("\x1b[2m");
    expect(strip(line ?? "")).toBe("10:00 * eve joined #lobby");
  });

  test("long text wraps under itself, wide characters included", () => {
    const text = "漢字 ".repeat(20).trim();
    const lines = formatTerminal(msg({ text }), { ...f, colour: false });
    expect(lines.length).toBeGreaterThan(1);
    const indent = "09:05  <bob> ".length;
    for (const l of lines) expect(Bun.stringWidth(l)).toBeLessThan(40);
    for (const l of lines.slice(1)) expect(l.startsWith(" ".repeat(indent))).toBe(true);
  });

  test("wrapText never exceeds the width and loses no text", () => {
    const t = "word ".repeat(30) + "x".repeat(50);
    const parts = wrapText(t, 17);
    for (const p of parts) expect(Bun.stringWidth(p)).toBeLessThanOrEqual(17);
    expect(parts.join("").replace(/\s/g, "")).toBe(t.replace(/\s/g, ""));
  });
});

describe("JSON records", () => {
  test("always carry time, type, room, nick, text, msgid", () => {
    const j = formatJson(msg({ msgid: "abc" }));
    expect(j).toMatchObject({
      type: "message",
      room: "#lobby",
      nick: "bob",
      text: "hello",
      msgid: "abc",
    });
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(["time", "type", "room", "nick", "text", "msgid"]),
    );
    expect(new Date(j.time).getTime()).toBe(msg().time.getTime());
    const q = formatJson({ type: "quit", time: new Date(), nick: "bob", text: "bye", rooms: [] });
    expect(q).toMatchObject({ type: "quit", room: null, nick: "bob", text: "bye", msgid: null });
  });
});
