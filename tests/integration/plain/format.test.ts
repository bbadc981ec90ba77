/**
 * The plain front's lines for every event type, including the ones the sockets
 * tests cannot provoke yet (kick, mode, invite, away). Pure: no server involved.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { BusEvent } from "../../../src/bus/events.ts";
import { clock, formatEvent } from "../../../src/fronts/plain/format.ts";
import { clean, splitText } from "../../../src/protocol/text.ts";

const time = new Date(2026, 0, 2, 9, 5).getTime();
const base = { source: "bob!~bob@10.0.0.1", time, msgid: "e1", origin: { node: "n", conn: 1 } };

describe("plain event lines", () => {
  test.each<[string, BusEvent, string | null]>([
    [
      "room message",
      { ...base, type: "message", target: "#lobby", command: "PRIVMSG", text: "hi", msgid: "1" },
      "09:05 <bob> hi",
    ],
    [
      "a multi-line message (draft/multiline) is one line per line, blank ones left out",
      {
        ...base,
        type: "message",
        target: "#lobby",
        command: "PRIVMSG",
        text: "first\n\nsecond \x1b[2Jline",
        msgid: "1",
        multiline: true,
      },
      "09:05 <bob> first\r\n09:05 <bob> second line",
    ],
    [
      "a private multi-line message too",
      {
        ...base,
        type: "message",
        target: "alice",
        command: "PRIVMSG",
        text: "a\nb",
        msgid: "1",
        multiline: true,
      },
      "09:05 *bob* a\r\n09:05 *bob* b",
    ],
    [
      "message in another room names the room",
      { ...base, type: "message", target: "#dev", command: "PRIVMSG", text: "hi", msgid: "1" },
      "09:05 #dev <bob> hi",
    ],
    [
      "STATUSMSG shows in its room, not as a private message",
      {
        ...base,
        type: "message",
        target: "@#dev",
        command: "PRIVMSG",
        text: "ops",
        msgid: "1",
        statusmsg: "@",
      },
      "09:05 #dev <bob> ops",
    ],
    [
      "wallops",
      { ...base, type: "wallops", text: "restart soon" },
      "09:05 * WALLOPS from bob: restart soon",
    ],
    [
      "action",
      {
        ...base,
        type: "message",
        target: "#lobby",
        command: "PRIVMSG",
        text: "\x01ACTION waves\x01",
        msgid: "1",
      },
      "09:05 * bob waves",
    ],
    [
      "notice",
      { ...base, type: "message", target: "#lobby", command: "NOTICE", text: "note", msgid: "1" },
      "09:05 -bob- note",
    ],
    [
      "CTCP request is not shown",
      {
        ...base,
        type: "message",
        target: "#lobby",
        command: "PRIVMSG",
        text: "\x01VERSION\x01",
        msgid: "1",
      },
      null,
    ],
    [
      "join",
      { ...base, type: "join", channel: "#lobby", realname: "Bob" },
      "09:05 * bob joined #lobby",
    ],
    ["part", { ...base, type: "part", channel: "#lobby" }, "09:05 * bob left #lobby"],
    [
      "part with reason",
      { ...base, type: "part", channel: "#lobby", reason: "lunch" },
      "09:05 * bob left #lobby (lunch)",
    ],
    [
      "kick",
      { ...base, type: "kick", channel: "#lobby", victim: "eve", reason: "spam" },
      "09:05 * eve was kicked from #lobby by bob (spam)",
    ],
    [
      "topic",
      { ...base, type: "topic", channel: "#lobby", text: "Friday" },
      "09:05 * bob set the topic of #lobby to: Friday",
    ],
    [
      "topic cleared",
      { ...base, type: "topic", channel: "#lobby", text: "" },
      "09:05 * bob cleared the topic of #lobby",
    ],
    [
      "mode",
      { ...base, type: "mode", channel: "#lobby", modes: ["+o", "alice"] },
      "09:05 * bob set mode +o alice on #lobby",
    ],
    [
      "invite",
      { ...base, type: "invite", channel: "#vip", invitee: "alice" },
      "09:05 * bob invites alice to #vip (type /join #vip)",
    ],
    ["quit", { ...base, type: "quit", text: "Quit: bye", rooms: [] }, "09:05 * bob quit (bye)"],
    [
      "quit saying nothing",
      { ...base, type: "quit", text: "Quit: Client quit", rooms: [] },
      "09:05 * bob quit",
    ],
    [
      "dropped",
      { ...base, type: "quit", text: "Ping timeout: 180 seconds", rooms: [] },
      "09:05 * bob quit (Ping timeout: 180 seconds)",
    ],
    [
      "nick",
      { ...base, type: "nick", text: "robert", rooms: [] },
      "09:05 * bob is now known as robert",
    ],
    ["away", { ...base, type: "away", text: "lunch", rooms: [] }, "09:05 * bob is away: lunch"],
    ["back", { ...base, type: "away", text: "", rooms: [] }, "09:05 * bob is back"],
  ])("%s", (_what, event, want) => {
    expect(formatEvent(event)).toBe(want);
  });

  test("clock is the server's local HH:MM", () => {
    expect(clock(time)).toBe("09:05");
  });

  test("property: cleaned text never holds C0/C1 controls, DEL or bidi overrides", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
        expect(clean(s)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
      }),
      { numRuns: 1000 },
    );
  });

  test("every part of an event line from a user is cleaned, not just the text", () => {
    const line = formatEvent({
      ...base,
      source: "b\x1b[31mob!~u@h",
      type: "kick",
      channel: "#lob\x07by",
      victim: "e\x1bve",
      reason: "r\x00\x9bx",
    });
    // A control sequence goes whole: ESC [31m, ESC v and the C1 CSI \x9b x with what they take.
    expect(line).toBe("09:05 * ee was kicked from #lobby by bob (r)");
  });

  test("property: splitText keeps every piece within the byte budget and loses no text", () => {
    const enc = new TextEncoder();
    const text = fc.string({
      unit: fc.constantFrom("a", "b", " ", "é", "€", "😀"),
      maxLength: 400,
    });
    fc.assert(
      fc.property(text, fc.integer({ min: 8, max: 120 }), (t, max) => {
        const pieces = splitText(t, max);
        for (const p of pieces) expect(enc.encode(p).length).toBeLessThanOrEqual(max);
        // Splits happen at a space (dropped) or between characters (nothing dropped).
        expect(pieces.join("").replaceAll(" ", "")).toBe(t.replaceAll(" ", ""));
        // At most one space is dropped per cut.
        expect(t.length - pieces.join("").length).toBeLessThanOrEqual(pieces.length);
      }),
      { numRuns: 500 },
    );
  });

  test("splitText prefers to cut at a space", () => {
    expect(splitText("hello world again", 12)).toEqual(["hello world", "again"]);
    // No space late enough: cut between characters rather than send tiny pieces.
    expect(splitText("abcdefghijklmnop", 5)).toEqual(["abcde", "fghij", "klmno", "p"]);
    expect(splitText("short", 12)).toEqual(["short"]);
  });
});
