/**
 * The event-playback merge (core/playback.ts) over a real MemoryStore: messages
 * and events of one room, many in one millisecond, come back in msgid order
 * for every query, whichever key the reference lives in.
 */
import { describe, expect, test } from "bun:test";
import { eventsKey, playbackEntry, queryWithEvents } from "../../../src/core/playback.ts";
import { MemoryStore } from "../../../src/store/memory.ts";
import type { HistoryEntry } from "../../../src/store/store.ts";

const T = 1_700_000_000_000;

/** Lines 1..9 of #r: odd ones messages, even ones JOIN events; 3..7 share one millisecond. */
function room(): MemoryStore {
  const store = new MemoryStore({ history: 100 });
  for (let i = 1; i <= 9; i++) {
    const time = i < 3 ? T + i : i <= 7 ? T + 10 : T + 20 + i;
    const msgid = `boot-${i.toString(36)}`;
    if (i % 2 === 1) {
      store.append({
        msgid,
        time,
        key: "#r",
        target: "#r",
        source: "a!u@h",
        command: "PRIVMSG",
        text: `m${i}`,
      });
    } else {
      const entry = playbackEntry("#r", {
        type: "join",
        channel: "#r",
        realname: "",
        source: `e${i}!u@h`,
        time,
        msgid,
        origin: { node: "n", conn: 1 },
      });
      if (entry !== undefined) store.append(entry);
    }
  }
  return store;
}

const ids = (es: HistoryEntry[]): number[] => es.map((e) => Number.parseInt(e.msgid.slice(5), 36));
const ref = (i: number) => ({ msgid: `boot-${i.toString(36)}` });

describe("queryWithEvents", () => {
  test("events are stored under their own key, with the origin left out", () => {
    const store = room();
    expect(store.latest(eventsKey("#r"), 10).map((e) => e.command)).toEqual([
      "JOIN",
      "JOIN",
      "JOIN",
      "JOIN",
    ]);
    expect(store.latest("#r", 10)).toHaveLength(5);
    expect(store.latest(eventsKey("#r"), 1)[0]?.text).not.toContain("origin");
  });

  test("LATEST, BEFORE, AFTER by a msgid of either kind, inside a shared millisecond", () => {
    const s = room();
    expect(ids(queryWithEvents(s, "#r", { kind: "latest" }, 4))).toEqual([6, 7, 8, 9]);
    expect(ids(queryWithEvents(s, "#r", { kind: "before", ref: ref(5) }, 3))).toEqual([2, 3, 4]);
    expect(ids(queryWithEvents(s, "#r", { kind: "before", ref: ref(6) }, 3))).toEqual([3, 4, 5]);
    expect(ids(queryWithEvents(s, "#r", { kind: "after", ref: ref(4) }, 3))).toEqual([5, 6, 7]);
    expect(ids(queryWithEvents(s, "#r", { kind: "after", ref: ref(5) }, 3))).toEqual([6, 7, 8]);
    expect(ids(queryWithEvents(s, "#r", { kind: "latest", after: ref(6) }, 2))).toEqual([8, 9]);
    expect(ids(queryWithEvents(s, "#r", { kind: "latest", after: ref(7) }, 9))).toEqual([8, 9]);
  });

  test("AROUND and BETWEEN in both directions", () => {
    const s = room();
    expect(ids(queryWithEvents(s, "#r", { kind: "around", ref: ref(5) }, 3))).toEqual([4, 5, 6]);
    expect(ids(queryWithEvents(s, "#r", { kind: "around", ref: ref(4) }, 4))).toEqual([2, 3, 4, 5]);
    const fwd = queryWithEvents(s, "#r", { kind: "between", from: ref(3), to: ref(8) }, 3);
    expect(ids(fwd)).toEqual([4, 5, 6]);
    const back = queryWithEvents(s, "#r", { kind: "between", from: ref(8), to: ref(3) }, 3);
    expect(ids(back)).toEqual([5, 6, 7]);
  });

  test("timestamps fall between lines; an unknown msgid answers nothing", () => {
    const s = room();
    const at = { time: T + 10 };
    expect(ids(queryWithEvents(s, "#r", { kind: "before", ref: at }, 9))).toEqual([1, 2]);
    expect(ids(queryWithEvents(s, "#r", { kind: "after", ref: at }, 9))).toEqual([8, 9]);
    expect(queryWithEvents(s, "#r", { kind: "before", ref: { msgid: "nope" } }, 9)).toEqual([]);
  });
});
