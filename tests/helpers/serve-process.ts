/**
 * `chat serve` as a child process (the compiled binary or `bun src/main.ts`) on
 * 127.0.0.1, port 0: resolves once it prints where it listens, so tests can
 * signal it, kill -9 it, or read what it logged.
 */
import { join } from "node:path";
import type { Subprocess } from "bun";
import { CHAT_BINARY, REPO_ROOT } from "./binary.ts";

const MAIN = join(REPO_ROOT, "src", "main.ts");
const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;

/** argv for `chat serve --host 127.0.0.1 --port PORT ...args`, from source or the built binary. */
export function serveCommand(
  args: string[],
  from: "source" | "binary" = "source",
  port = 0,
): string[] {
  const exe = from === "binary" ? [CHAT_BINARY] : [process.execPath, MAIN];
  return [...exe, "serve", "--host", "127.0.0.1", "--port", String(port), ...args];
}

export interface ServeProcess {
  port: number;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** stdout and stderr as written so far, interleaved. */
  output(): string;
  /** stderr alone (the server's log). */
  stderr(): string;
  /** Resolves with the exit code once the process has ended and its output is read. */
  exited: Promise<number>;
  /** Send `signal` (SIGKILL if it has not ended within 5 s); resolves when it has ended. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServeProcessOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Also wait until the output matches this (e.g. the end of the banner). */
  readyWhen?: RegExp;
  timeoutMs?: number;
}

/** Spawn `cmd` (see serveCommand) and wait, bounded, for its "listening on 127.0.0.1:PORT" line. */
export async function spawnServe(
  cmd: string[],
  opts: ServeProcessOptions = {},
): Promise<ServeProcess> {
  const proc = Bun.spawn(cmd, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  let err = "";
  let wake: () => void = () => {};
  // Both pipes are drained for the whole life of the child so it never blocks on a full pipe.
  const pump = async (s: ReadableStream<Uint8Array>, isErr: boolean): Promise<void> => {
    const dec = new TextDecoder();
    for await (const chunk of s) {
      const text = dec.decode(chunk, { stream: true });
      out += text;
      if (isErr) err += text;
      wake();
    }
  };
  const pumps = Promise.all([pump(proc.stdout, false), pump(proc.stderr, true)]);
  const exited = Promise.all([proc.exited, pumps]).then(([code]) => code);
  void exited.then(() => wake());

  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(t);
    }
    await exited;
  };

  const timeoutMs = opts.timeoutMs ?? 15_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`chat serve did not report its port within ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    const check = (): void => {
      const m = LISTENING.exec(out);
      if (m !== null && (opts.readyWhen === undefined || opts.readyWhen.test(out))) {
        clearTimeout(timer);
        wake = () => {};
        resolve(Number(m[1]));
      } else if (proc.exitCode !== null || proc.signalCode !== null) {
        clearTimeout(timer);
        reject(new Error(`chat serve exited before listening: ${out}`));
      }
    };
    wake = check;
    check();
  });
  return { port, proc, output: () => out, stderr: () => err, exited, stop };
}
