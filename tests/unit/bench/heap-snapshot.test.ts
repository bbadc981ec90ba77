import { describe, expect, test } from "bun:test";
import {
  type JscHeapSnapshot,
  snapshotDiff,
  snapshotGroups,
} from "../../../bench/lib/heap-snapshot.ts";

// nodes: id, size, class index, flags; edges: from, to, edge type index, name index.
const classes = ["<root>", "Session", "Object", "string"];
const types = ["Internal", "Property", "Index", "Variable"];
const names = ["floor", "nick"];

function snap(sessions: number): JscHeapSnapshot {
  const nodes = [0, 0, 0, 0];
  const edges: number[] = [];
  let id = 1;
  for (let i = 0; i < sessions; i++) {
    const s = id++;
    const floor = id++;
    const nick = id++;
    nodes.push(s, 320, 1, 0, floor, 48, 2, 0, nick, 32, 3, 0);
    edges.push(0, s, 0, 0, s, floor, 1, 0, s, nick, 1, 1);
  }
  return { nodes, nodeClassNames: classes, edges, edgeTypes: types, edgeNames: names };
}

describe("heap snapshot accounting", () => {
  test("cells are told apart by the property that holds them, bytes per session", () => {
    const rows = snapshotDiff(snapshotGroups(snap(1)), snapshotGroups(snap(11)), 10);
    expect(rows).toEqual([
      { what: "<root>[] -> Session", count: 1, bytes: 320 },
      { what: "Session.floor -> Object", count: 1, bytes: 48 },
      { what: "Session.nick -> string", count: 1, bytes: 32 },
    ]);
  });

  test("what did not grow per session is left out", () => {
    expect(snapshotDiff(snapshotGroups(snap(3)), snapshotGroups(snap(3)), 10)).toEqual([]);
  });
});
