import { describe, expect, test } from "bun:test";
import { aboveFloor, floorAt } from "../../../src/core/history.ts";

describe("private history floor", () => {
  test("within the claim's millisecond, msgid order decides; other runs' messages at that time stay hidden", () => {
    const f = floorAt(1000, "boot1-z");
    expect(aboveFloor(f, { time: 999, msgid: "boot1-1" })).toBe(false);
    expect(aboveFloor(f, { time: 1000, msgid: "boot1-y" })).toBe(false);
    expect(aboveFloor(f, { time: 1000, msgid: "boot1-10" })).toBe(true); // 36 > 35
    expect(aboveFloor(f, { time: 1000, msgid: "boot0-100" })).toBe(false);
    expect(aboveFloor(f, { time: 1001, msgid: "boot0-1" })).toBe(true);
  });

  test("a session that never claimed a nick sees nothing", () => {
    expect(aboveFloor(undefined, { time: Date.now(), msgid: "b-1" })).toBe(false);
  });
});
