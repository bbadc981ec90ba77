/**
 * Server CPU per delivery of the fan-out, in process: the core, the IRC front, the
 * SQLite history store (a real file, WAL, its checkpoint worker) and the real send
 * queues and flush scheduler, over 500 connections whose sockets only count bytes.
 * No load generator and no syscalls compete for the CPU, so two builds can be told
 * apart by a few percent on a machine other work keeps busy, where the ramp of
 * `npm run bench` moves 2-4x (bench/findings.md). It measures the JS and SQLite work
 * per message and per delivery, not the socket writes (the same in both builds).
 *
 *   npx bun bench/fanout-cpu.ts [--tree DIR] [--messages 20000] [--per-turn 10] [--labeled]
 *                                [--history 10000]
 *
 * --tree runs the sources of another checkout (e.g. a worktree of an older commit), so
 * one command compares builds: run it once per tree, alternating, and compare the
 * figures. --labeled has the senders ask for labeled-response and batch and label every
 * PRIVMSG, as the load generator does where they are offered. --history is the retention
 * limit (the server's default: past it, every message also deletes the oldest one). Bounded by --messages and
 * a 60 s wall-clock cap.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    tree: { type: "string", default: resolve(import.meta.dir, "..") },
    messages: { type: "string", default: "20000" },
    "per-turn": { type: "string", default: "10" },
    labeled: { type: "boolean", default: false },
    history: { type: "string", default: "10000" },
  },
});
const tree = resolve(values.tree);
const total = Number(values.messages);
const perTurn = Number(values["per-turn"]);
const MEMBERS = 500;
const SENDERS = 10;
const CAP_MS = 60_000;

/** The few pieces of the core's surface used here, the same in every build since 45edce9. */
interface Handler {
  line(line: string): void;
}
interface CoreLike {
  accept(conn: unknown): Handler | undefined;
  shutdown(): void;
}
interface StoreLike {
  flush(): void;
  close(): void;
}
interface QueueLike {
  push(data: Uint8Array): boolean;
  readonly queuedBytes: number;
  readonly closed: boolean;
  readonly closing: boolean;
  closeAfterFlush(lastWords?: Uint8Array): void;
}
interface SchedulerLike {
  run(): void;
}

const { Core } = (await import(join(tree, "src/core/core.ts"))) as {
  Core: new (opts: Record<string, unknown>) => CoreLike;
};
const { ircFront } = (await import(join(tree, "src/fronts/irc/front.ts"))) as {
  ircFront: unknown;
};
const { SqliteStore } = (await import(join(tree, "src/store/sqlite.ts"))) as {
  SqliteStore: new (opts: Record<string, unknown>) => StoreLike;
};
const { SendQueue, FlushScheduler } = (await import(join(tree, "src/transport/output.ts"))) as {
  SendQueue: new (sink: unknown, scheduler: SchedulerLike, cap: number) => QueueLike;
  FlushScheduler: new (beforeFlush: () => void) => SchedulerLike;
};

let bytesOut = 0;
/** A socket that takes everything at once. */
const sink = {
  write(data: Uint8Array): number {
    bytesOut += data.length;
    return data.length;
  },
  end(): void {},
};

const dir = mkdtempSync(join(tmpdir(), "chat-fanout-cpu-"));
const store = new SqliteStore({
  path: join(dir, "bench.db"),
  history: Number(values.history),
  onError: () => {},
});
const scheduler = new FlushScheduler(() => store.flush());
const core = new Core({ store, fronts: { irc: ircFront }, limits: { floodLimit: false } });

class CountingConn {
  /** One address each: the core caps connections per address. */
  constructor(readonly remoteAddress: string) {}
  private readonly queue = new SendQueue(sink, scheduler, 64 * 1024 * 1024);
  send(bytes: Uint8Array): void {
    this.queue.push(bytes);
  }
  close(lastWords?: Uint8Array): void {
    this.queue.closeAfterFlush(lastWords);
  }
  get queuedBytes(): number {
    return this.queue.queuedBytes;
  }
  get closed(): boolean {
    return this.queue.closed || this.queue.closing;
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const senders: Handler[] = [];
const caps = values.labeled
  ? "server-time message-tags labeled-response batch"
  : "server-time message-tags";
for (let i = 0; i < MEMBERS; i++) {
  const h = core.accept(new CountingConn(`127.1.${i >> 8}.${(i & 255) + 1}`));
  if (h === undefined) throw new Error("the core refused a connection");
  h.line(`CAP REQ :${caps}`);
  h.line(`NICK f${i}`);
  h.line(`USER f${i} 0 * :f${i}`);
  h.line("CAP END");
  h.line("JOIN #bench");
  if (i < SENDERS) senders.push(h);
  if (i % 50 === 49) {
    scheduler.run();
    await turn();
  }
}
scheduler.run();
await turn();

const payload = "x".repeat(32);
async function drive(count: number): Promise<number> {
  let sent = 0;
  const started = performance.now();
  while (sent < count && performance.now() - started < CAP_MS) {
    for (let k = 0; k < perTurn; k++, sent++) {
      const s = senders[sent % SENDERS] as Handler;
      s.line(
        values.labeled
          ? `@label=l${sent} PRIVMSG #bench :${sent} ${payload}`
          : `PRIVMSG #bench :${sent} ${payload}`,
      );
    }
    scheduler.run();
    await turn();
  }
  return sent;
}

// Warm up (JIT, SQLite caches, the retention ledger) outside the measurement.
await drive(Math.min(2_000, total));
const bytes0 = bytesOut;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const sent = await drive(total);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
const cpuUs = cpu.user + cpu.system;
const deliveries = sent * (MEMBERS - 1);
core.shutdown();
store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    tree,
    labeled: values.labeled,
    messages: sent,
    perTurn,
    deliveries,
    cpuUsPerDelivery: Number((cpuUs / deliveries).toFixed(4)),
    cpuUsPerMessage: Number((cpuUs / sent).toFixed(2)),
    wallMs: Math.round(wallMs),
    mbOut: Math.round((bytesOut - bytes0) / 1e6),
  }),
);
