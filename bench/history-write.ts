/**
 * History write rate: messages appended and flushed in batches (one
 * transaction per simulated event-loop turn), as the server does.
 *
 *   npx bun bench/history-write.ts [--messages 200000] [--batch 64] [--rooms 50] [--history 10000]
 *
 * Bounded by --messages and by a 60 s wall-clock cap. Uses a file database in
 * a temporary folder (WAL, synchronous=NORMAL), removed afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SqliteStore } from "../src/store/sqlite.ts";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "200000" },
    batch: { type: "string", default: "64" },
    rooms: { type: "string", default: "50" },
    history: { type: "string", default: "10000" },
  },
});
const total = Number(values.messages);
const batch = Number(values.batch);
const rooms = Number(values.rooms);
const history = Number(values.history);
const CAP_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), "chat-bench-"));
const store = new SqliteStore({ path: join(dir, "bench.db"), history });
const flushTimes: number[] = [];
const text = "the quick brown fox jumps over the lazy dog, a typical chat line of some length";
let written = 0;
let flushes = 0;
let worstFlush = 0;
const start = performance.now();
try {
  while (written < total && performance.now() - start < CAP_MS) {
    const n = Math.min(batch, total - written);
    for (let i = 0; i < n; i++) {
      const seq = written + i;
      const room = `#room${seq % rooms}`;
      store.append({
        msgid: `b${seq}`,
        time: Date.now(),
        key: room,
        target: room,
        source: `user${seq % 500}!u@127.0.0.1`,
        command: "PRIVMSG",
        text,
      });
    }
    const t0 = performance.now();
    store.flush();
    const dt = performance.now() - t0;
    if (dt > worstFlush) worstFlush = dt;
    flushTimes.push(dt);
    flushes++;
    written += n;
    // Let the background retention timer run, as it would between turns.
    if (flushes % 64 === 0) await Bun.sleep(0);
  }
  const secs = (performance.now() - start) / 1000;
  flushTimes.sort((a, b) => a - b);
  const pct = (p: number): number =>
    Number(
      (flushTimes[Math.min(flushTimes.length - 1, Math.floor(p * flushTimes.length))] ?? 0).toFixed(
        3,
      ),
    );
  console.log(
    JSON.stringify({
      messages: written,
      batch,
      rooms,
      history,
      seconds: Number(secs.toFixed(3)),
      messagesPerSecond: Math.round(written / secs),
      flushes,
      meanFlushMs: Number(((secs * 1000) / flushes).toFixed(3)),
      p50FlushMs: pct(0.5),
      p99FlushMs: pct(0.99),
      worstFlushMs: Number(worstFlush.toFixed(3)),
    }),
  );
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
