import { describe, expect, test } from "bun:test";
import { type HeapSnapshotStats, heapDiffRows } from "../../../bench/lib/heap.ts";

const snap = (counts: Record<string, number>): HeapSnapshotStats => ({
  heapSize: 0,
  heapCapacity: 0,
  objectTypeCounts: counts,
  rssKiB: 0,
});

describe("idle heap accounting", () => {
  test("types that grew are counted per session, most first; start-up noise is left out", () => {
    const before = snap({ string: 1000, Object: 500, Map: 10, Promise: 40 });
    const after = snap({ string: 11_000, Object: 7500, Map: 11, Set: 10_000, Promise: 30 });
    expect(heapDiffRows(before, after, 10_000)).toEqual([
      { type: "Set", added: 10_000, perSession: 1 },
      { type: "string", added: 10_000, perSession: 1 },
      { type: "Object", added: 7000, perSession: 0.7 },
    ]);
  });

  test("no sessions: no rows rather than a division by zero", () => {
    expect(heapDiffRows(snap({}), snap({ string: 5 }), 0)).toEqual([]);
  });
});
