/**
 * `chat serve`: open the store, start the server, print where to connect, and
 * run until SIGINT/SIGTERM.
 */

import { hostname } from "node:os";
import { redact } from "../bus/redis.ts";
import { joinNetwork } from "../cluster/join-network.ts";
import type { OperLogin } from "../core/core.ts";
import { OperCredentials } from "../security/password.ts";
import { resolveTlsIdentity } from "../security/serve-tls.ts";
import { defaultDbPath, openStore } from "../store/open.ts";
import { historyLine, joinHints, otherWaysLine } from "./serve-banner.ts";
import { defaultServerName, type ServeConfig } from "./serve-config.ts";
import { type RunningServer, startServer } from "./start-server.ts";
import { FatalError } from "./usage-error.ts";

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
  // Over Redis: connect before listening, so an unreachable Redis is a clear error at start.
  const network =
    config.redis === undefined
      ? undefined
      : await joinNetwork({
          url: config.redis,
          log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
        }).catch((err: unknown) => {
          store.close();
          throw new FatalError(err instanceof Error ? err.message : String(err));
        });
  let running: RunningServer;
  try {
    running = startServer({
      host: config.host,
      port: config.port,
      store,
      limits: {
        floodLimit: config.floodLimit,
        ...(config.maxPerIp !== undefined ? { maxConnectionsPerIp: config.maxPerIp } : {}),
        ...(config.maxClients !== undefined ? { maxConnections: config.maxClients } : {}),
      },
      serverName: config.name ?? defaultServerName(hostname()),
      network: config.network,
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.motd !== undefined ? { motd: config.motd } : {}),
      opers,
      ...(log ? { log } : {}),
      ...(tls ? { tls } : {}),
      ...(network !== undefined ? { bus: network.bus } : {}),
      ...(config.reusePort === true ? { reusePort: true } : {}),
    });
    network?.start(running.core);
  } catch (err) {
    network?.close();
    store.close();
    throw err;
  }
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
  out.push(otherWaysLine(config.host, running.port));
  process.stdout.write(`${out.join("\n")}\n`);

  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      void (network?.leave() ?? Promise.resolve())
        .then(() => running.stop())
        .then(() => network?.close())
        .then(() => store.close())
        .finally(resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
