/**
 * Bytes per session from two JSC heap snapshots (`Bun.generateHeapSnapshot()`, the Inspector
 * format): bench/idle-heap.ts --snapshot. heapStats() only counts objects by type; a snapshot
 * also has each cell's size and who points at it, so a plain `Object` can be told apart by the
 * property that holds it (`Session.historyFloor`, `TcpConn.queue`).
 */

/** The fields of the Inspector snapshot this reads (nodes: id, size, class, flags; edges: from, to, type, data). */
export interface JscHeapSnapshot {
  nodes: number[];
  nodeClassNames: string[];
  edges: number[];
  edgeTypes: string[];
  edgeNames: string[];
}

export interface SnapshotRow {
  /** `Class` or, for a cell reached by a named property, `Holder.property -> Class`. */
  what: string;
  count: number;
  bytes: number;
}

const NODE_STRIDE = 4;
const EDGE_STRIDE = 4;

/**
 * Cells grouped by what they are and the first named property that holds them. A cell held
 * only by internal or indexed edges is named by its first holder's class (`Map[] -> string`). Pure: the snapshot in, rows out.
 */
export function snapshotGroups(s: JscHeapSnapshot): Map<string, SnapshotRow> {
  const classOf = new Map<number, string>();
  const sizeOf = new Map<number, number>();
  for (let i = 0; i < s.nodes.length; i += NODE_STRIDE) {
    const id = s.nodes[i] as number;
    classOf.set(id, s.nodeClassNames[s.nodes[i + 2] as number] ?? "?");
    sizeOf.set(id, s.nodes[i + 1] as number);
  }
  const property = s.edgeTypes.indexOf("Property");
  const variable = s.edgeTypes.indexOf("Variable");
  const holder = new Map<number, string>();
  // A named edge wins; else the first other edge names only the holder's class (`Map[]`).
  const unnamed = new Map<number, string>();
  for (let i = 0; i < s.edges.length; i += EDGE_STRIDE) {
    const to = s.edges[i + 1] as number;
    if (holder.has(to)) continue;
    const type = s.edges[i + 2] as number;
    const from = classOf.get(s.edges[i] as number) ?? "?";
    if (type !== property && type !== variable) {
      if (!unnamed.has(to)) unnamed.set(to, `${from}[]`);
      continue;
    }
    holder.set(to, `${from}.${s.edgeNames[s.edges[i + 3] as number] ?? "?"}`);
  }
  for (const [to, via] of unnamed) if (!holder.has(to)) holder.set(to, via);
  const groups = new Map<string, SnapshotRow>();
  for (const [id, cls] of classOf) {
    const via = holder.get(id);
    const what = via === undefined ? cls : `${via} -> ${cls}`;
    const row = groups.get(what) ?? { what, count: 0, bytes: 0 };
    row.count++;
    row.bytes += sizeOf.get(id) ?? 0;
    groups.set(what, row);
  }
  return groups;
}

/** Rows that grew by at least `minPerSession` cells per session, most bytes first, per session. */
export function snapshotDiff(
  before: Map<string, SnapshotRow>,
  after: Map<string, SnapshotRow>,
  sessions: number,
  minPerSession = 0.5,
): SnapshotRow[] {
  if (sessions <= 0) return [];
  const rows: SnapshotRow[] = [];
  for (const [what, a] of after) {
    const b = before.get(what);
    const count = (a.count - (b?.count ?? 0)) / sessions;
    const bytes = (a.bytes - (b?.bytes ?? 0)) / sessions;
    if (count >= minPerSession) rows.push({ what, count, bytes });
  }
  return rows.sort((x, y) => y.bytes - x.bytes || x.what.localeCompare(y.what));
}
