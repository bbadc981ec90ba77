/** Admin answers bigger than the socket takes at once arrive whole and in order. */
import { describe, expect, test } from "bun:test";
import { LineWriter } from "../../../src/admin/line-writer.ts";

/** A sink that takes at most `room` bytes per write until `room` is raised again. */
function sink(room: number) {
  const got: number[] = [];
  const s = {
    room,
    ended: false,
    got,
    write(data: Uint8Array): number {
      if (s.ended) return -1;
      const n = Math.min(s.room, data.length);
      for (const b of data.subarray(0, n)) got.push(b);
      s.room -= n;
      return n;
    },
    end() {
      s.ended = true;
    },
  };
  return s;
}

const bytes = (from: number, n: number) =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);

describe("LineWriter", () => {
  test("what the socket does not take waits for drain, in order", () => {
    const s = sink(3);
    const w = new LineWriter(s, 1000);
    expect(w.send(bytes(0, 10))).toBe(true);
    expect(w.send(bytes(10, 5))).toBe(true);
    expect(s.got).toHaveLength(3);
    expect(w.queuedBytes).toBe(12);
    s.room = 4;
    w.drain();
    expect(s.got).toHaveLength(7);
    s.room = 100;
    w.drain();
    expect(s.got).toEqual([...bytes(0, 15)]);
    expect(w.queuedBytes).toBe(0);
  });

  test("a reader that stops reading is cut off past the cap", () => {
    const s = sink(0);
    const w = new LineWriter(s, 8);
    expect(w.send(bytes(0, 8))).toBe(true);
    expect(w.send(bytes(0, 1))).toBe(false);
    expect(s.ended).toBe(true);
    expect(w.send(bytes(0, 1))).toBe(false);
  });
});
