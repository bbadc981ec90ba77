/**
 * Per-session accounting of chat's JS heap (issue 18): the server from source with
 * bench/heap-preload.ts, a full-GC heapStats() empty and again holding N idle registered
 * connections (no room), and the difference per session by object type.
 *
 *   bun bench/idle-heap.ts [--clients 10000] [--snapshot]
 *
 * --snapshot also takes a heap snapshot each time (use ~1,000 clients: it is large) and prints
 * bytes per session by what holds them (bench/lib/heap-snapshot.ts).
 *
 * Prints a Markdown table; RSS and heap are the server's own, the load generator runs in
 * bench/worker.ts processes as in scenario (c).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type HeapSnapshotStats, heapDiffRows } from "./lib/heap.ts";
import {
  type JscHeapSnapshot,
  type SnapshotRow,
  snapshotDiff,
  snapshotGroups,
} from "./lib/heap-snapshot.ts";
import { clientSpecs, LoadGen } from "./lib/loadgen.ts";
import { chatServeArgs, REPO_ROOT, readChatPort } from "./lib/servers.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "10000" },
    snapshot: { type: "boolean", default: false },
  },
  strict: true,
});
const clients = Number(values.clients);
if (!Number.isInteger(clients) || clients < 1 || clients > 19_000) {
  console.error("--clients must be an integer from 1 to 19000");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "bench-heap-"));
const outPath = join(dir, "heap.json");
const proc = Bun.spawn(
  [
    process.execPath,
    "--preload",
    join(REPO_ROOT, "bench/heap-preload.ts"),
    join(REPO_ROOT, "src/main.ts"),
    ...chatServeArgs(":memory:"),
  ],
  {
    stdout: "pipe",
    stderr: "inherit",
    stdin: "ignore",
    env: {
      ...process.env,
      CHAT_HEAP_OUT: outPath,
      ...(values.snapshot ? { CHAT_HEAP_SNAPSHOT: "1" } : {}),
    },
  },
);

async function snapshot(): Promise<HeapSnapshotStats> {
  rmSync(outPath, { force: true });
  proc.kill("SIGUSR2");
  const deadline = Date.now() + 30_000;
  while (!existsSync(outPath) && Date.now() < deadline) await Bun.sleep(50);
  await Bun.sleep(100); // the file is written in one call; let it land
  return JSON.parse(readFileSync(outPath, "utf8")) as HeapSnapshotStats;
}

/** The snapshot written with the last stats, grouped (only with --snapshot). */
function snapshotRows(): Map<string, SnapshotRow> {
  if (!values.snapshot) return new Map();
  const snap = JSON.parse(readFileSync(`${outPath}.snapshot`, "utf8")) as JscHeapSnapshot;
  return snapshotGroups(snap);
}

try {
  const { port } = await readChatPort(proc.stdout, 10_000);
  if (!port) throw new Error("the server did not print its address");
  await Bun.sleep(1500);
  const empty = await snapshot();
  const emptyGroups = snapshotRows();
  const specs = clientSpecs({
    count: clients,
    rooms: 1,
    sendersPerRoom: 0,
    nickPrefix: "h",
    srcPerAddress: 10,
  });
  for (const s of specs) s.room = "";
  const lg = await LoadGen.start({
    host: "127.0.0.1",
    port,
    mode: "irc",
    clients: specs,
    workers: Math.max(2, Math.ceil(clients / 5000)),
    connectConcurrency: 128,
    setupTimeoutMs: 90_000,
  });
  try {
    await Bun.sleep(1500);
    const held = await snapshot();
    const heldGroups = snapshotRows();
    const n = lg.setup.ready;
    console.log(
      `${n} idle registered sessions; RSS ${empty.rssKiB} -> ${held.rssKiB} KiB (${((held.rssKiB - empty.rssKiB) / n).toFixed(2)} KiB per session); live JS heap ${empty.heapSize} -> ${held.heapSize} B (${((held.heapSize - empty.heapSize) / n / 1024).toFixed(2)} KiB per session), heap capacity ${empty.heapCapacity} -> ${held.heapCapacity} B`,
    );
    console.log("");
    console.log("| object type | per session | total added |");
    console.log("| --- | --- | --- |");
    for (const r of heapDiffRows(empty, held, n)) {
      console.log(`| ${r.type} | ${r.perSession.toFixed(2)} | ${r.added} |`);
    }
    if (values.snapshot) {
      console.log("");
      console.log("| held by -> cell | cells per session | bytes per session |");
      console.log("| --- | --- | --- |");
      for (const r of snapshotDiff(emptyGroups, heldGroups, n)) {
        console.log(`| ${r.what} | ${r.count.toFixed(2)} | ${r.bytes.toFixed(1)} |`);
      }
    }
  } finally {
    await lg.stop();
  }
} finally {
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(dir, { recursive: true, force: true });
}
