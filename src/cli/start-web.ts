/**
 * The web client's part of the composition root: the internal web server the
 * main port hands HTTP to, and the dedicated `--web-port` one, if asked for.
 */
import type { Core } from "../core/core.ts";
import type { FlushScheduler } from "../transport/output.ts";
import { PipeAddresses, type WebHandoff } from "../transport/web-pipe.ts";
import { startWebServer, type WebServer } from "../web/server.ts";

export interface WebStartOptions {
  /** A dedicated port for the web client too (0 picks a free one). */
  port?: number;
  /** Origins allowed to open a WebSocket besides the page's own; `*` for any. */
  origins?: string[];
}

export interface RunningWeb {
  /** What the main port's listener hands HTTP connections to. */
  readonly handoff: WebHandoff;
  /** The dedicated port, when one was asked for. */
  readonly port: number | undefined;
  stop(): void;
}

export function startWeb(
  opts: WebStartOptions,
  host: string,
  tls: { cert: string; key: string } | undefined,
  core: Core,
  scheduler: FlushScheduler,
): RunningWeb {
  const ws = {
    sendQBytes: core.limits.sendQBytes,
    maxLineBytes: core.limits.maxLineBytes,
    closeGraceMs: core.limits.closeGraceMs,
    // Bun pings an idle WebSocket; one silent for twice the IRC idle time is gone.
    idleTimeoutS: Math.min(960, Math.ceil((2 * core.limits.pingIdleMs) / 1000)),
    origins: opts.origins ?? [],
  };
  const accept = (conn: Parameters<Core["accept"]>[0]) => core.accept(conn);
  const pipes = new PipeAddresses();
  const internal = startWebServer(
    { ...ws, hostname: "127.0.0.1", port: 0, pipes },
    accept,
    scheduler,
  );
  let dedicated: WebServer | undefined;
  if (opts.port !== undefined) {
    try {
      dedicated = startWebServer(
        { ...ws, hostname: host, port: opts.port, ...(tls ? { tls } : {}) },
        accept,
        scheduler,
      );
    } catch (err) {
      // The caller words the listen error: it knows the flag.
      internal.stop();
      throw err;
    }
  }
  return {
    handoff: {
      port: internal.port,
      addresses: pipes,
      maxPerAddress: core.limits.maxConnectionsPerIp,
      open: new Map(),
    },
    port: dedicated?.port,
    stop() {
      internal.stop();
      dedicated?.stop();
    },
  };
}
