/**
 * The composition root: open nothing, print nothing, just wire a store, the
 * core and the TCP transport together on host:port. `chat serve`, the tests
 * and the benchmarks all start a server through `startServer`.
 */

import type { MessageBus } from "../bus/bus.ts";
import type { FrontFactory } from "../core/api.ts";
import { Core, type OperLogin } from "../core/core.ts";
import type { Limits } from "../core/limits.ts";
import type { EventLog } from "../core/log.ts";
import { ircFront } from "../fronts/irc/front.ts";
import { plainFront } from "../fronts/plain/front.ts";
import type { ClaimStore } from "../store/claims.ts";
import type { ModerationStore } from "../store/moderation.ts";
import type { HistoryStore } from "../store/store.ts";
import { FlushScheduler } from "../transport/output.ts";
import { listenTcp, type TcpListener } from "../transport/tcp.ts";
import { VERSION } from "../version.ts";
import { type RunningWeb, startWeb, type WebStartOptions } from "./start-web.ts";
import { FatalError } from "./usage-error.ts";

export interface StartOptions {
  host: string;
  port: number;
  store: HistoryStore;
  /** Server bans and lockouts kept across restarts (default: memory only). Not closed by stop(). */
  moderation?: ModerationStore;
  limits?: Partial<Limits>;
  password?: string;
  motd?: string;
  opers?: OperLogin[];
  /** Default: the nc/telnet front (fronts/plain). `null` turns human detection off. */
  plainFront?: FrontFactory | null;
  log?: (line: string) => void;
  /** Structured log events; used instead of `log` when given. */
  events?: EventLog;
  serverName?: string;
  /** NETWORK in ISUPPORT; default chat. */
  network?: string;
  /** The fan-out bus; default: a new in-process one. */
  bus?: MessageBus;
  /** Also serve TLS on the same port (the first byte tells TLS from plain text). */
  tls?: { cert: string; key: string };
  /** Share the port with other processes (SO_REUSEPORT; only sensible with --redis). */
  reusePort?: boolean;
  /** The web client: served on the main port (default) and optionally its own; false: off. */
  web?: WebStartOptions | false;
  /** Owned nicks; default: in memory, gone when the server stops. Closed by its opener. */
  claims?: ClaimStore;
  /** The server clock; tests inject one (claim expiry). */
  now?: () => number;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** The dedicated web port (`--web-port`), if one was asked for. */
  readonly webPort?: number;
  /** Whether the web client is served on the main port. */
  readonly web: boolean;
  readonly core: Core;
  /** A renewed TLS certificate for new connections; throws (keeping the old) if unusable. */
  setTls(tls: { cert: string; key: string }): void;
  /** Tell clients, flush output and history, close the listener. Does not close the store. */
  stop(reason?: string): Promise<void>;
}

/**
 * One line a host can act on when the port cannot be opened. Bun's own message
 * ("Failed to listen at 0.0.0.0") does not say why.
 */
export function listenProblem(err: unknown, host: string, port: number): string {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "EADDRINUSE":
      return `cannot listen on ${where}: port ${port} is already in use (another chat serve?); stop it or pick another port with --port`;
    case "EACCES":
      return `cannot listen on ${where}: permission denied; ports below 1024 need root, so use --port ${port < 1024 ? 6667 : port} or higher`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: this machine has no address ${host}; see --host (default 0.0.0.0, every address)`;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return `cannot listen on ${where}: ${msg}`;
}

/** Start a server on host:port (port 0 picks a free one). */
export function startServer(opts: StartOptions): RunningServer {
  const store = opts.store;
  // Humans on nc/telnet get the plain front unless a caller turns detection off.
  const plain = opts.plainFront === null ? undefined : (opts.plainFront ?? plainFront());
  const core = new Core({
    store,
    fronts: plain === undefined ? { irc: ircFront } : { irc: ircFront, plain },
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.motd !== undefined ? { motd: opts.motd } : {}),
    ...(opts.opers ? { opers: opts.opers } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.events ? { events: opts.events } : {}),
    ...(opts.serverName ? { serverName: opts.serverName } : {}),
    ...(opts.network ? { network: opts.network } : {}),
    ...(opts.bus ? { bus: opts.bus } : {}),
    ...(opts.moderation ? { moderation: opts.moderation } : {}),
    ...(opts.claims ? { claims: opts.claims } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    version: `chat-${VERSION}`,
  });
  // The durability contract: history commits before the turn's output is written.
  // Timed once per turn that appended something, never per message: the
  // history commit latency histogram.
  const counters = core.counters;
  let appended = 0;
  const scheduler = new FlushScheduler(() => {
    if (counters.historyAppends === appended) return store.flush();
    appended = counters.historyAppends;
    const t0 = performance.now();
    store.flush();
    counters.historyFlush.observe((performance.now() - t0) / 1000);
  });
  let web: RunningWeb | undefined;
  if (opts.web !== false) {
    try {
      web = startWeb(opts.web ?? {}, opts.host, opts.tls, core, scheduler);
    } catch (err) {
      core.shutdown();
      const port = opts.web?.port ?? 0;
      throw new FatalError(listenProblem(err, opts.host, port).replace("--port", "--web-port"));
    }
  }
  let listener: TcpListener;
  try {
    listener = listenTcp(
      {
        hostname: opts.host,
        port: opts.port,
        sendQBytes: core.limits.sendQBytes,
        maxLineBytes: core.limits.maxLineBytes,
        keepaliveMs: core.limits.keepaliveMs,
        closeGraceMs: core.limits.closeGraceMs,
        ...(opts.tls ? { tls: opts.tls } : {}),
        ...(opts.reusePort === true ? { reusePort: true } : {}),
        counts: core.counters,
        ...(web ? { web: web.handoff } : {}),
      },
      (conn) => core.accept(conn),
      scheduler,
    );
  } catch (err) {
    core.shutdown();
    web?.stop();
    throw new FatalError(listenProblem(err, opts.host, opts.port));
  }
  let stopped: Promise<void> | undefined;
  return {
    host: listener.hostname,
    port: listener.port,
    ...(web?.port !== undefined ? { webPort: web.port } : {}),
    web: web !== undefined,
    core,
    setTls: (tls) => listener.setTls(tls),
    stop(reason = "Server shutting down"): Promise<void> {
      stopped ??= (async () => {
        listener.stop();
        core.shutdown(reason);
        web?.stop();
        scheduler.run();
        // Give the sockets one turn to take the last words before the process may exit.
        await new Promise((r) => setTimeout(r, 50));
      })();
      return stopped;
    },
  };
}
