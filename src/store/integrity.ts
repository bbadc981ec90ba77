/**
 * A full-file check (PRAGMA quick_check) of the history database, run on a
 * worker thread right after start. Damage in the file header is caught when
 * the store opens; damage deeper in the file only shows when a page is read,
 * and checking every page takes time in proportion to the file (about 250 ms
 * for 60 MB here), which would delay accepting connections. Off the event loop
 * it costs the server nothing, and damage is reported as soon as it is known.
 *
 * The worker's code is inlined and started from a Blob URL so it also works in
 * the single-file `bun build --compile` binary without a second entrypoint.
 */

const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
self.onmessage = (ev) => {
  let db;
  try {
    db = new Database(ev.data.path, { readonly: true });
    const version = () => db.query("PRAGMA schema_version").get().schema_version;
    // Other connections of this server create their tables at start (claims,
    // moderation): a check that overlapped a schema change can fail on a table
    // it saw half-made ("vtable constructor failed"), so it is no verdict; run again.
    let problems = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = version();
      let failed;
      try {
        const rows = db.query("PRAGMA quick_check(" + ev.data.maxErrors + ")").all();
        problems = rows.map((r) => String(Object.values(r)[0])).filter((t) => t !== "ok");
      } catch (err) {
        failed = err;
      }
      if (version() === before) {
        if (failed) throw failed;
        break;
      }
      problems = [];
    }
    postMessage({ ok: problems.length === 0, problems });
  } catch (err) {
    postMessage({ ok: false, problems: [String(err && err.message ? err.message : err)] });
  } finally {
    try { db?.close(); } catch {}
  }
};
`;

/** One URL for the worker's code, shared by every store: it never changes. */
const WORKER_URL = URL.createObjectURL(
  new Blob([WORKER_SOURCE], { type: "application/javascript" }),
);

export interface IntegrityResult {
  ok: boolean;
  /** What SQLite reported, a few lines at most. */
  problems: string[];
}

/**
 * Check `path` on a worker thread and report once. Returns a function that
 * stops the check (for a store closed before it finished).
 */
export function checkIntegrityInBackground(
  path: string,
  report: (result: IntegrityResult) => void,
): () => void {
  let worker: Worker;
  try {
    worker = new Worker(WORKER_URL);
  } catch {
    // No threads: skip the deep check; reads and writes still report damage.
    return () => {};
  }
  let done = false;
  const finish = (): void => {
    done = true;
    worker.terminate();
  };
  worker.onmessage = (ev: MessageEvent<IntegrityResult>) => {
    if (done) return;
    finish();
    report(ev.data);
  };
  worker.onerror = () => {
    if (!done) finish();
  };
  // A background check must never keep a stopping server alive.
  worker.unref();
  worker.postMessage({ path, maxErrors: 5 });
  return () => {
    if (!done) finish();
  };
}
