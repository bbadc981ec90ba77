/**
 * Preloaded into `bun src/main.ts serve` by bench/idle-heap.ts (never into the product): on
 * SIGUSR2 it forces a full GC and writes `bun:jsc` heapStats() as JSON to $CHAT_HEAP_OUT, so the
 * JS heap of a server holding N idle sessions can be counted by object type; with
 * $CHAT_HEAP_SNAPSHOT set it also writes a heap snapshot beside it (`<out>.snapshot`).
 */
import { heapStats } from "bun:jsc";
import { writeFileSync } from "node:fs";

const out = process.env.CHAT_HEAP_OUT;
if (out) {
  process.on("SIGUSR2", () => {
    Bun.gc(true);
    Bun.gc(true);
    const s = heapStats();
    // The snapshot first: the stats file appearing is the signal that both are written.
    if (process.env.CHAT_HEAP_SNAPSHOT) {
      writeFileSync(`${out}.snapshot`, JSON.stringify(Bun.generateHeapSnapshot()));
    }
    writeFileSync(
      out,
      JSON.stringify({ ...s, rssKiB: Math.round(process.memoryUsage().rss / 1024) }),
    );
  });
}
