/**
 * A real redis-server for tests: on a free port of 127.0.0.1, with a temporary
 * --dir and no persistence, killed by PID in `stop()`. `restart()` stops it and
 * starts it again on the same port (the "Redis blip" of the cluster tests).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Kill the server (SIGKILL) and start a fresh, empty one on the same port. */
  restart(): Promise<void>;
  /** Kill it and leave it down (until `start()`). */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the kernel picks it). */
async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function ping(port: number): Promise<boolean> {
  try {
    const sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: { data() {}, error() {} },
    });
    sock.end();
    return true;
  } catch {
    return false;
  }
}

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "chat-redis-"));
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  const start = async (): Promise<void> => {
    proc = Bun.spawn(
      [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    // Bounded: 5 s at most for the server to accept connections.
    for (let i = 0; i < 250; i++) {
      if (await ping(port)) return;
      await Bun.sleep(20);
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p === undefined) return;
    p.kill("SIGKILL");
    await p.exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
