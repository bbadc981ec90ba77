/** The per-session difference of two `bun:jsc` heapStats() snapshots (bench/idle-heap.ts). */

export interface HeapSnapshotStats {
  heapSize: number;
  heapCapacity: number;
  objectTypeCounts: Record<string, number>;
  rssKiB: number;
}

export interface HeapDiffRow {
  type: string;
  added: number;
  perSession: number;
}

/**
 * Object types that grew by at least `minPerSession` per session, most first. Types that shrank
 * or hardly moved are left out: they are the server's own start-up objects, not per session.
 */
export function heapDiffRows(
  before: HeapSnapshotStats,
  after: HeapSnapshotStats,
  sessions: number,
  minPerSession = 0.05,
): HeapDiffRow[] {
  if (sessions <= 0) return [];
  const rows: HeapDiffRow[] = [];
  for (const [type, count] of Object.entries(after.objectTypeCounts)) {
    const added = count - (before.objectTypeCounts[type] ?? 0);
    const perSession = added / sessions;
    if (perSession >= minPerSession) rows.push({ type, added, perSession });
  }
  return rows.sort((a, b) => b.added - a.added || a.type.localeCompare(b.type));
}
