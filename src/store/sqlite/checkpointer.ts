/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside the commit that
 * crosses ~1,000 WAL pages: it copies the WAL into the main file and fsyncs, on the event loop
 * that delivers messages, which stalled relay for tens of ms (bench/findings.md, scenario b).
 * The writing connection turns it off (wal_autocheckpoint = 0) and this worker, with its own
 * connection to the same file, runs PASSIVE checkpoints every few hundred ms instead: WAL mode
 * lets a checkpointer run beside the writer, and PASSIVE never waits for or blocks it.
 *
 * Nothing committed can be lost by this: a checkpoint only copies committed pages, and a crash
 * in the middle of one is recovered from the WAL on the next open, as before.
 *
 * The worker's code is inlined and started from a Blob URL so it also works in the single-file
 * `bun build --compile` binary without a second entrypoint (as integrity.ts does).
 */

const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
const fail = (err) => postMessage({ kind: "failed", error: String(err && err.message ? err.message : err) });
// The first message starts the loop; its connection and timer live in this closure.
self.onmessage = (start) => {
  let db;
  try {
    db = new Database(start.data.path, { create: false, readwrite: true });
    db.run("PRAGMA busy_timeout = 0");
  } catch (err) {
    fail(err);
    self.close();
    return;
  }
  const timer = setInterval(() => {
    try {
      const r = db.query("PRAGMA wal_checkpoint(PASSIVE)").get();
      postMessage({ kind: "step", log: r.log, checkpointed: r.checkpointed });
    } catch (err) {
      clearInterval(timer);
      fail(err);
      try { db.close(); } catch {}
      self.close();
    }
  }, start.data.intervalMs);
  // Any later message is the stop.
  self.onmessage = () => {
    clearInterval(timer);
    try { db.close(); } catch {}
    self.close();
  };
};
`;

/** One URL for the worker's code, shared by every store: it never changes. */
const WORKER_URL = URL.createObjectURL(
  new Blob([WORKER_SOURCE], { type: "application/javascript" }),
);

export type CheckpointMessage =
  | { kind: "step"; log: number; checkpointed: number }
  | { kind: "failed"; error: string };

export interface CheckpointerOptions {
  path: string;
  intervalMs: number;
  /** The worker could not start or a checkpoint failed: the caller checkpoints another way. */
  onFailure: (reason: string) => void;
  /** Each checkpoint's WAL frames and frames copied (for tests and diagnostics). */
  onStep?: (log: number, checkpointed: number) => void;
}

export class Checkpointer {
  private worker: Worker | undefined;
  private stopped = false;

  constructor(private readonly opts: CheckpointerOptions) {}

  /** False when no worker thread could be made (the caller falls back at once). */
  start(): boolean {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_URL);
    } catch (err) {
      this.opts.onFailure(err instanceof Error ? err.message : String(err));
      return false;
    }
    this.worker = worker;
    worker.onmessage = (ev: MessageEvent<CheckpointMessage>) => {
      if (this.stopped) return;
      const m = ev.data;
      if (m.kind === "step") this.opts.onStep?.(m.log, m.checkpointed);
      else this.fail(m.error);
    };
    worker.onerror = (ev: ErrorEvent) => {
      if (!this.stopped) this.fail(ev.message || "the checkpoint worker stopped");
    };
    // A background checkpointer must never keep a stopping server alive.
    worker.unref();
    worker.postMessage({ kind: "start", path: this.opts.path, intervalMs: this.opts.intervalMs });
    return true;
  }

  private fail(reason: string): void {
    this.stop();
    this.opts.onFailure(reason);
  }

  /** The worker closes its connection and ends; no further callbacks. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker?.postMessage({ kind: "stop" });
    this.worker = undefined;
  }
}
