/**
 * `chat serve` as a child process on 127.0.0.1 with port 0 and a given --db,
 * so tests can SIGTERM it or kill -9 it and start another on the same file.
 */
import type { Subprocess } from "bun";

export interface ChildServer {
  port: number;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything written to stderr so far (for failure messages). */
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number>;
}

const MAIN = new URL("../../../src/main.ts", import.meta.url).pathname;

export async function startChildServer(db: string, extra: string[] = []): Promise<ChildServer> {
  const proc = Bun.spawn(
    [
      process.execPath,
      MAIN,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--db",
      db,
      "--no-flood-limit",
      "--quiet",
      ...extra,
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  let err = "";
  void (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) err += dec.decode(chunk, { stream: true });
  })();
  const port = await readPort(proc, () => err);
  return { port, proc, stderr: () => err, exited: proc.exited };
}

/** Read stdout until the "listening on 127.0.0.1:PORT" line, bounded by 15 s. */
async function readPort(
  proc: Subprocess<"ignore", "pipe", "pipe">,
  stderr: () => string,
): Promise<number> {
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let out = "";
  const deadline = setTimeout(() => proc.kill(9), 15_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += dec.decode(value, { stream: true });
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        // Keep draining stdout so the child never blocks on a full pipe.
        void (async () => {
          for (;;) {
            const r = await reader.read();
            if (r.done) return;
          }
        })();
        return Number(m[1]);
      }
    }
  } finally {
    clearTimeout(deadline);
  }
  throw new Error(`chat serve did not report its port; stdout: ${out}; stderr: ${stderr()}`);
}

/** Stop a child for good (used in afterEach): SIGKILL if it is still running. */
export async function killChild(child: ChildServer | undefined): Promise<void> {
  if (child === undefined) return;
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill(9);
  await child.exited;
}
