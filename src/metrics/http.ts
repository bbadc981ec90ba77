/**
 * `--metrics HOST:PORT`: Prometheus text at /metrics and a health check at
 * /healthz, served with Bun.serve on its own port (a loopback address unless
 * the host says otherwise), apart from the chat port.
 */
import { FatalError } from "../cli/usage-error.ts";
import type { Core } from "../core/core.ts";
import { collect } from "./collect.ts";
import { EventLoopMonitor } from "./event-loop.ts";
import { CONTENT_TYPE, render } from "./exposition.ts";

export interface MetricsOptions {
  host: string;
  port: number;
  core: Core;
  dbPath?: string;
  version: string;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  stop(): void;
}

/** Exit status when the metrics port cannot be opened: a configuration mistake. */
export const METRICS_LISTEN_EXIT = 2;

function where(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Start serving; throws FatalError (exit 2) with one line when the port cannot be opened. */
export function startMetrics(opts: MetricsOptions): MetricsServer {
  const loop = new EventLoopMonitor();
  const source = {
    core: opts.core,
    loop,
    version: opts.version,
    ...(opts.dbPath !== undefined ? { dbPath: opts.dbPath } : {}),
  };
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: opts.host,
      port: opts.port,
      fetch(req): Response {
        const path = new URL(req.url).pathname;
        if (req.method !== "GET" && req.method !== "HEAD") {
          return new Response("only GET\n", { status: 405, headers: { allow: "GET, HEAD" } });
        }
        if (path === "/metrics") {
          return new Response(render(collect(source)), {
            headers: { "content-type": CONTENT_TYPE },
          });
        }
        if (path === "/healthz") {
          return opts.core.closing
            ? new Response("shutting down\n", { status: 503 })
            : new Response("ok\n");
        }
        return new Response("not found: try /metrics or /healthz\n", { status: 404 });
      },
    });
  } catch (err) {
    loop.stop();
    const code = (err as { code?: unknown } | null)?.code;
    const at = where(opts.host, opts.port);
    const why =
      code === "EADDRINUSE"
        ? `port ${opts.port} is already in use; pick another with --metrics HOST:PORT`
        : err instanceof Error
          ? err.message
          : String(err);
    throw new FatalError(`cannot serve metrics on ${at}: ${why}`, METRICS_LISTEN_EXIT);
  }
  return {
    host: opts.host,
    port: server.port ?? opts.port,
    stop() {
      loop.stop();
      void server.stop(true);
    },
  };
}
