/**
 * `chat serve`: open the store, wire the core to the TCP transport, print where
 * to connect, and run until SIGINT/SIGTERM. `startServer` is the same wiring
 * without signals or printing, for tests and benchmarks.
 */
import { networkInterfaces } from "node:os";
import type { MessageBus } from "../bus/bus.ts";
import { FatalError } from "../cli/usage-error.ts";
import type { ServeConfig } from "../commands/serve.ts";
import type { FrontFactory } from "../core/api.ts";
import { Core, type OperLogin } from "../core/core.ts";
import type { Limits } from "../core/limits.ts";
import { ircFront } from "../fronts/irc/front.ts";
import { plainFront } from "../fronts/plain/front.ts";
import { OperCredentials } from "../security/password.ts";
import { resolveTlsIdentity } from "../security/serve-tls.ts";
import { defaultDbPath, openStore } from "../store/open.ts";
import type { HistoryStore } from "../store/store.ts";
import { FlushScheduler } from "../transport/output.ts";
import { listenTcp, type TcpListener } from "../transport/tcp.ts";
import { VERSION } from "../version.ts";

export interface StartOptions {
  host: string;
  port: number;
  store: HistoryStore;
  limits?: Partial<Limits>;
  password?: string;
  motd?: string;
  opers?: OperLogin[];
  /** Default: the nc/telnet front (fronts/plain). `null` turns human detection off. */
  plainFront?: FrontFactory | null;
  log?: (line: string) => void;
  serverName?: string;
  /** The fan-out bus; default: a new in-process one. */
  bus?: MessageBus;
  /** Also serve TLS on the same port (the first byte tells TLS from plain text). */
  tls?: { cert: string; key: string };
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly core: Core;
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
  // The durability contract: history commits before the turn's output is written.
  const scheduler = new FlushScheduler(() => store.flush());
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
    ...(opts.serverName ? { serverName: opts.serverName } : {}),
    ...(opts.bus ? { bus: opts.bus } : {}),
    version: `chat-${VERSION}`,
  });
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
      },
      (conn) => core.accept(conn),
      scheduler,
    );
  } catch (err) {
    core.shutdown();
    throw new FatalError(listenProblem(err, opts.host, opts.port));
  }
  let stopped: Promise<void> | undefined;
  return {
    host: listener.hostname,
    port: listener.port,
    core,
    stop(reason = "Server shutting down"): Promise<void> {
      stopped ??= (async () => {
        listener.stop();
        core.shutdown(reason);
        scheduler.run();
        // Give the sockets one turn to take the last words before the process may exit.
        await new Promise((r) => setTimeout(r, 50));
      })();
      return stopped;
    },
  };
}

/** `chat join` lines for every non-loopback address when listening on all interfaces. */
export function joinHints(host: string, port: number): string[] {
  const addrs = joinAddresses(host);
  // No network (a container, a laptop offline): this machine can still join.
  if (addrs.length === 0) return [`  chat join 127.0.0.1:${port}   (no network interface found)`];
  return addrs.map((a) => `  chat join ${fmtHost(a)}:${port}`);
}

/**
 * The line for guests without the binary, with a real address filled in: a
 * host reading it aloud should not have to work out what HOST and PORT mean.
 */
export function otherWaysLine(host: string, port: number): string {
  const addr = joinAddresses(host)[0] ?? "127.0.0.1";
  return `Without chat: nc ${addr} ${port} (or telnet), or any IRC client on port ${port}. Press Ctrl-C to stop.`;
}

/** Where the conversation is kept, so a host knows what survives a restart and what to back up. */
export function historyLine(db: string): string {
  return db === ":memory:"
    ? "History: in memory only (--db :memory:), gone when the server stops"
    : `History: ${db} (kept across restarts)`;
}

/** Addresses others can reach: the one listened on, or every non-loopback one. */
function joinAddresses(host: string): string[] {
  if (host !== "0.0.0.0" && host !== "::") return [host];
  const out: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      if (host === "0.0.0.0" && a.family !== "IPv4") continue;
      if (a.family === "IPv6" && a.address.startsWith("fe80")) continue;
      out.push(a.address);
    }
  }
  return out;
}

function fmtHost(h: string): string {
  return h.includes(":") ? `[${h}]` : h;
}

function hashOpers(config: ServeConfig): OperLogin[] {
  // Hashed at start (argon2id) so plain passwords are not kept in server state;
  // the OPER handler awaits verify, which runs off the event loop.
  return new OperCredentials(config.opers).logins();
}

/** Start the server and resolve once it has shut down cleanly. */
export async function runServe(config: ServeConfig): Promise<void> {
  const store = openStore({
    history: config.history,
    ...(config.db !== undefined ? { db: config.db } : {}),
    // Storage trouble while running (disk full, I/O error) is logged even with
    // --quiet; live relay goes on and the store retries on the next turn.
    onError: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  const opers = hashOpers(config);
  const tls = await resolveTlsIdentity(config, process.env);
  const log = config.quiet
    ? undefined
    : (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  let running: RunningServer;
  try {
    running = startServer({
      host: config.host,
      port: config.port,
      store,
      limits: { floodLimit: config.floodLimit },
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.motd !== undefined ? { motd: config.motd } : {}),
      opers,
      ...(log ? { log } : {}),
      ...(tls ? { tls } : {}),
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const shown = running.host.includes(":") ? `[${running.host}]` : running.host;
  const out: string[] = [
    `chat server listening on ${shown}:${running.port}`,
    historyLine(config.db ?? defaultDbPath()),
  ];
  const hints = joinHints(config.host, running.port);
  if (tls !== undefined) {
    // The fingerprint travels with the invite, so a guest's first connection is
    // already pinned instead of trusted blindly.
    const made = tls.created ? " (new self-signed certificate)" : "";
    out.push(`TLS on the same port${made}: ${tls.certPath}`, `Fingerprint: ${tls.fingerprint}`);
    if (hints.length > 0) {
      out.push(
        "Others can join with TLS:",
        ...hints.map((h) => `${h} --tls --fp ${tls.fingerprint}`),
      );
      out.push("or without TLS:", ...hints);
    }
  } else if (hints.length > 0) {
    out.push("Others can join with:", ...hints);
  }
  out.push(otherWaysLine(config.host, running.port));
  process.stdout.write(`${out.join("\n")}\n`);

  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      void running
        .stop()
        .then(() => store.close())
        .finally(resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
