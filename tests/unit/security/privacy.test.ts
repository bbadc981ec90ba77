import { describe, expect, test } from "bun:test";
import { nickClaimed, privateEntryVisible } from "../../../src/security/privacy.ts";

describe("private history floor", () => {
  test("within the claim's millisecond, msgid order decides; other runs' messages at that time stay hidden", () => {
    const s = {};
    nickClaimed(s, 1000, "boot1-z");
    expect(privateEntryVisible(s, { time: 999, msgid: "boot1-1" })).toBe(false);
    expect(privateEntryVisible(s, { time: 1000, msgid: "boot1-y" })).toBe(false);
    expect(privateEntryVisible(s, { time: 1000, msgid: "boot1-10" })).toBe(true); // 36 > 35
    expect(privateEntryVisible(s, { time: 1000, msgid: "boot0-100" })).toBe(false);
    expect(privateEntryVisible(s, { time: 1001, msgid: "boot0-1" })).toBe(true);
  });

  test("a session that never claimed a nick sees nothing", () => {
    expect(privateEntryVisible({}, { time: Date.now(), msgid: "b-1" })).toBe(false);
  });
});
