/**
 * `chat serve`: open the store, start the server, print where to connect, and
 * run until SIGINT/SIGTERM.
 */

import { hostname } from "node:os";
import { adminSocketPath } from "../admin/paths.ts";
import { startAdminSocket } from "../admin/socket.ts";
import { redact } from "../bus/redis.ts";
import { joinNetwork } from "../cluster/join-network.ts";
import { type MetricsServer, startMetrics } from "../metrics/http.ts";
import { resolveTlsIdentity } from "../security/serve-tls.ts";
import { ClaimStore } from "../store/claims.ts";
import type { ModerationStore } from "../store/moderation.ts";
import { defaultDbPath, openModeration, openStore } from "../store/open.ts";
import { VERSION } from "../version.ts";
import { Logger } from "./logger.ts";
import { hashOpers, Reloader, secretsOf, serveLimits } from "./reload.ts";
import { historyLine, joinHints, otherWaysLine } from "./serve-banner.ts";
import { defaultServerName, type ServeConfig } from "./serve-config.ts";
import { type RunningServer, startServer } from "./start-server.ts";
import { FatalError } from "./usage-error.ts";
import { webLines } from "./web-banner.ts";

/** Start the server and resolve once it has shut down cleanly; `reload` re-reads the settings (SIGHUP). */
export async function runServe(config: ServeConfig, reload?: () => ServeConfig): Promise<void> {
  // SIGHUP's default ends the process, and Bun installs a handler a moment
  // after process.on: listen for it first, so a reload sent while starting
  // (systemd may send one any time after exec) waits instead of killing us.
  const hangups = new HangupGate();
  process.on("SIGHUP", hangups.signal);
  try {
    await serveUntilStopped(config, reload, hangups);
  } finally {
    process.off("SIGHUP", hangups.signal);
  }
}

/** SIGHUPs that arrive before the server can reload are counted, then run once it can. */
class HangupGate {
  private waiting = 0;
  private reload: (() => void) | undefined;
  readonly signal = (): void => {
    if (this.reload === undefined) this.waiting++;
    else this.reload();
  };
  ready(reload: () => void): void {
    this.reload = reload;
    if (this.waiting > 0) reload();
  }
  /** Shutting down: a SIGHUP now neither reloads nor ends the process. */
  ignore(): void {
    this.reload = () => {};
  }
}

async function serveUntilStopped(
  config: ServeConfig,
  reload: (() => ServeConfig) | undefined,
  hangups: HangupGate,
): Promise<void> {
  const logger = new Logger(
    (line) => process.stderr.write(line),
    config.logFormat,
    config.logLevel,
  );
  logger.setSecrets(secretsOf(config));
  // Storage trouble while running (disk full, I/O error) is an error, logged
  // even with --quiet; live relay goes on and the store retries on the next turn.
  const onError = (line: string): void => logger.log("error", "store-error", line);
  const store = openStore({
    history: config.history,
    ...(config.db !== undefined ? { db: config.db } : {}),
    onError,
  });
  // Claims live in the history file (its folder now exists), so they survive restarts with it.
  let claims: ClaimStore;
  try {
    claims = ClaimStore.open(config.db ?? defaultDbPath(), config.claimDays);
  } catch (err) {
    store.close();
    throw err;
  }
  let moderation: ModerationStore;
  try {
    moderation = openModeration(config.db, onError);
  } catch (err) {
    store.close();
    throw err;
  }
  const opers = hashOpers(config);
  const tls = await resolveTlsIdentity(config, process.env);
  // Over Redis: connect before listening, so an unreachable Redis is a clear error at start.
  const network =
    config.redis === undefined
      ? undefined
      : await joinNetwork({
          url: config.redis,
          ...(config.nodeTtlSeconds !== undefined
            ? {
                nodeTtlMs: config.nodeTtlSeconds * 1000,
                heartbeatMs: Math.ceil((config.nodeTtlSeconds * 1000) / 3),
              }
            : {}),
          log: (line) => logger.log("warn", "cluster", line),
        }).catch((err: unknown) => {
          moderation.close();
          store.close();
          throw new FatalError(err instanceof Error ? err.message : String(err));
        });
  let running: RunningServer;
  try {
    running = startServer({
      host: config.host,
      port: config.port,
      store,
      moderation,
      limits: serveLimits(config),
      serverName: config.name ?? defaultServerName(hostname()),
      network: config.network,
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.motd !== undefined ? { motd: config.motd } : {}),
      opers,
      events: (e) => logger.event(e),
      ...(tls ? { tls } : {}),
      ...(network !== undefined ? { bus: network.bus } : {}),
      ...(config.reusePort === true ? { reusePort: true } : {}),
      web: config.web
        ? {
            origins: config.webOrigins,
            ...(config.webPort !== undefined ? { port: config.webPort } : {}),
          }
        : false,
      claims,
    });
    network?.start(running.core);
  } catch (err) {
    network?.close();
    moderation.close();
    store.close();
    claims.close();
    throw err;
  }
  let metrics: MetricsServer | undefined;
  if (config.metrics !== undefined) {
    try {
      metrics = startMetrics({
        ...config.metrics,
        core: running.core,
        version: VERSION,
        ...(config.db !== ":memory:" ? { dbPath: config.db ?? defaultDbPath() } : {}),
      });
    } catch (err) {
      await running.stop();
      moderation.close();
      store.close();
      throw err;
    }
  }
  const socketPath = config.adminSocket ?? adminSocketPath(config.db);
  const admin =
    socketPath === undefined
      ? undefined
      : await startAdminSocket(socketPath, running.core, (line) => onError(line));
  const shown = running.host.includes(":") ? `[${running.host}]` : running.host;
  const out: string[] = [
    `chat server listening on ${shown}:${running.port}`,
    historyLine(config.db ?? defaultDbPath()),
  ];
  if (config.redis !== undefined) out.push(`Node of the network at ${redact(config.redis)}`);
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
  out.push(...webLines(config.host, running, tls !== undefined));
  out.push(otherWaysLine(config.host, running.port));
  if (metrics !== undefined) {
    const mh = metrics.host.includes(":") ? `[${metrics.host}]` : metrics.host;
    out.push(`Metrics: http://${mh}:${metrics.port}/metrics (health: /healthz)`);
  }
  if (admin !== undefined)
    out.push(`Admin socket: ${admin.path} (chat admin rooms|users|kick|ban)`);
  process.stdout.write(`${out.join("\n")}\n`);

  const reloader = new Reloader(config, {
    load: reload ?? (() => config),
    running,
    env: process.env,
    logger,
  });
  hangups.ready(() => void reloader.reload());

  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      hangups.ignore();
      metrics?.stop();
      admin?.stop();
      void (network?.leave() ?? Promise.resolve())
        .then(() => running.stop())
        .then(() => {
          network?.close();
          moderation.close();
          store.close();
          claims.close();
        })
        .finally(resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
