/**
 * Load-generator coordinator: spreads clients over worker processes (bench/worker.ts), drives
 * them through phases and merges their reports. Each worker reports its own CPU time, so a
 * saturated generator shows up in the results instead of passing for a slow server.
 */
import type { Subprocess } from "bun";
import {
  type ClientMode,
  type ClientSpec,
  protocolLines,
  type WorkerCommand,
  type WorkerReady,
  type WorkerReport,
  type WorkerResult,
} from "./protocol.ts";
import { LatencyHistogram } from "./stats.ts";

const WORKER_PATH = new URL("../worker.ts", import.meta.url).pathname;

export interface LoadGenOptions {
  host: string;
  port: number;
  mode: ClientMode;
  clients: ClientSpec[];
  workers: number;
  caps?: string[];
  connectConcurrency?: number;
  setupTimeoutMs?: number;
  payloadBytes?: number;
  /** Connect with TLS (scenario h). */
  tls?: boolean;
  log?: (line: string) => void;
}

export interface SetupSummary {
  clients: number;
  ready: number;
  failed: number;
  errors: string[];
  ackedCaps: string[];
  setupMs: number;
}

export interface PhaseSummary {
  step: number;
  sent: number;
  skipped: number;
  received: number;
  stale: number;
  self: number;
  latency: LatencyHistogram;
  /** Per worker: CPU share of one core during the phase (1 = a full core). */
  workerCpu: number[];
  /** Per worker: its own event-loop delay during the phase (see WorkerResult.loopDelay). */
  workerLoop: LoopDelay[];
  wallMs: number;
  disconnected: number;
  dropReasons: Record<string, number>;
  connected: number;
}

class WorkerHandle {
  private readonly queue: WorkerReport[] = [];
  private waiter: (() => void) | null = null;
  private exited = false;
  readonly proc: Subprocess<"pipe", "pipe", "inherit">;

  constructor(
    readonly index: number,
    private readonly log: (line: string) => void,
  ) {
    this.proc = Bun.spawn([process.execPath, WORKER_PATH], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit",
    });
    void this.pump();
    void this.proc.exited.then(() => {
      this.exited = true;
      this.waiter?.();
    });
  }

  private async pump(): Promise<void> {
    for await (const line of protocolLines(this.proc.stdout)) {
      let msg: WorkerReport;
      try {
        msg = JSON.parse(line) as WorkerReport;
      } catch {
        this.log(`worker ${this.index}: ${line}`);
        continue;
      }
      if (msg.type === "log") this.log(`worker ${this.index}: ${msg.message}`);
      else this.queue.push(msg);
      this.waiter?.();
    }
  }

  send(cmd: WorkerCommand): void {
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    this.proc.stdin.flush();
  }

  async next<T extends WorkerReport["type"]>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<WorkerReport, { type: T }>> {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const i = this.queue.findIndex((m) => m.type === type);
      if (i !== -1) return this.queue.splice(i, 1)[0] as Extract<WorkerReport, { type: T }>;
      if (this.exited) throw new Error(`load-generator worker ${this.index} exited early`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`load-generator worker ${this.index}: no "${type}" in time`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        this.send({ type: "quit" });
        this.proc.stdin.end();
      } catch {
        // stdin already closed: the kill below still ends it
      }
      const done = await Promise.race([
        this.proc.exited.then(() => true),
        Bun.sleep(3000).then(() => false),
      ]);
      if (!done) this.proc.kill("SIGKILL");
    }
  }
}

export class LoadGen {
  private constructor(
    private readonly workers: WorkerHandle[],
    readonly setup: SetupSummary,
  ) {}

  static async start(opts: LoadGenOptions): Promise<LoadGen> {
    const log = opts.log ?? (() => {});
    const n = Math.max(1, Math.min(opts.workers, opts.clients.length || 1));
    const slices: ClientSpec[][] = Array.from({ length: n }, () => []);
    // Round-robin so senders and receivers spread evenly over workers.
    opts.clients.forEach((c, i) => {
      slices[i % n]?.push(c);
    });
    const setupTimeoutMs = opts.setupTimeoutMs ?? 120_000;
    const workers = slices.map((_, i) => new WorkerHandle(i, log));
    try {
      workers.forEach((w, i) => {
        w.send({
          type: "init",
          workerIndex: i,
          host: opts.host,
          port: opts.port,
          mode: opts.mode,
          clients: slices[i] ?? [],
          // labeled-response and batch where offered (issue 12): the fan-out is measured with them on.
          caps: opts.caps ?? ["server-time", "message-tags", "labeled-response", "batch"],
          connectConcurrency: opts.connectConcurrency ?? 64,
          setupTimeoutMs,
          payloadBytes: opts.payloadBytes ?? 32,
          ...(opts.tls ? { tls: true } : {}),
        });
      });
      const readies: WorkerReady[] = [];
      for (const w of workers) readies.push(await w.next("ready", setupTimeoutMs + 10_000));
      const setup: SetupSummary = {
        clients: readies.reduce((a, r) => a + r.clients, 0),
        ready: readies.reduce((a, r) => a + r.ready, 0),
        failed: readies.reduce((a, r) => a + r.failed, 0),
        errors: [...new Set(readies.flatMap((r) => r.errors))].slice(0, 5),
        ackedCaps: readies[0]?.ackedCaps ?? [],
        setupMs: Math.max(...readies.map((r) => r.setupMs)),
      };
      return new LoadGen(workers, setup);
    } catch (err) {
      await Promise.all(workers.map((w) => w.stop()));
      throw err;
    }
  }

  get pids(): number[] {
    return this.workers.map((w) => w.proc.pid);
  }

  async phase(p: {
    step: number;
    durationMs: number;
    ratePerSender: number;
    quietMs?: number;
    maxDrainMs?: number;
  }): Promise<PhaseSummary> {
    const quietMs = p.quietMs ?? 300;
    const maxDrainMs = p.maxDrainMs ?? 3000;
    for (const w of this.workers) {
      w.send({
        type: "phase",
        step: p.step,
        durationMs: p.durationMs,
        ratePerSender: p.ratePerSender,
        quietMs,
        maxDrainMs,
      });
    }
    const results: WorkerResult[] = [];
    for (const w of this.workers) {
      results.push(await w.next("result", p.durationMs + maxDrainMs + 15_000));
    }
    const latency = new LatencyHistogram();
    for (const r of results) latency.merge(r.latency);
    const sum = (f: (r: WorkerResult) => number): number => results.reduce((a, r) => a + f(r), 0);
    return {
      step: p.step,
      sent: sum((r) => r.sent),
      skipped: sum((r) => r.skipped),
      received: sum((r) => r.received),
      stale: sum((r) => r.stale),
      self: sum((r) => r.self),
      latency,
      workerCpu: results.map((r) => (r.cpuUserMs + r.cpuSystemMs) / r.wallMs),
      workerLoop: results.map((r) => loopDelayOf(r)),
      wallMs: Math.max(...results.map((r) => r.wallMs)),
      disconnected: sum((r) => r.disconnected),
      dropReasons: mergeCounts(results.map((r) => r.dropReasons)),
      connected: sum((r) => r.connected),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

/**
 * Source address for client i: 127.0.0.0/8 minus .0.0.1 (the servers' listen address), `perAddress`
 * clients each, so per-IP connection limits and the ephemeral-port range never bind the benchmark.
 */
export function sourceAddress(i: number, perAddress: number): string {
  const k = Math.floor(i / perAddress) + 2; // 127.0.0.2 upward
  return `127.0.${Math.floor(k / 250)}.${(k % 250) + 2}`;
}

export function clientSpecs(opts: {
  count: number;
  rooms: number;
  /** Which clients send: the first `senders` of each room, or all when "all". */
  sendersPerRoom: number | "all";
  nickPrefix: string;
  srcPerAddress?: number;
  /** Id of the first client, so several batches against one server stay distinct. */
  firstId?: number;
}): ClientSpec[] {
  const out: ClientSpec[] = [];
  const perRoom = Math.ceil(opts.count / opts.rooms);
  let senderIdx = 0;
  const totalSenders =
    opts.sendersPerRoom === "all" ? opts.count : opts.sendersPerRoom * opts.rooms;
  for (let i = 0; i < opts.count; i++) {
    const room = Math.floor(i / perRoom);
    const posInRoom = i % perRoom;
    const sender = opts.sendersPerRoom === "all" || posInRoom < opts.sendersPerRoom;
    const id = i + (opts.firstId ?? 0);
    const spec: ClientSpec = {
      id,
      nick: `${opts.nickPrefix}${id}`,
      room: `#bench${room}`,
      sender,
      offset: sender ? (senderIdx++ % totalSenders) / totalSenders : 0,
    };
    if (opts.srcPerAddress) spec.src = sourceAddress(id, opts.srcPerAddress);
    out.push(spec);
  }
  return out;
}

/** A worker's event-loop delay, ms: p99 and worst of its 10 ms probes. */
export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

function loopDelayOf(r: WorkerResult): LoopDelay {
  // An older worker (or one that ran no phase) sends no probes: unknown, not zero.
  if (!r.loopDelay) return { p99Ms: Number.NaN, maxMs: Number.NaN };
  const h = LatencyHistogram.fromJSON(r.loopDelay);
  return { p99Ms: h.percentile(99) / 1000, maxMs: h.maxUs / 1000 };
}

function mergeCounts(list: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of list) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}
