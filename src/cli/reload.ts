/**
 * SIGHUP: read the configuration again (flags, CHAT_*, the --config file) and
 * apply what can change while connections stay open: the MOTD, operators,
 * limits and the TLS certificate (a renewed Let's Encrypt one). Everything is
 * prepared first and applied only when all of it worked, so a bad file or an
 * unreadable key leaves the running configuration exactly as it was.
 */
import type { OperLogin } from "../core/core.ts";
import { DEFAULT_LIMITS, type Limits } from "../core/limits.ts";
import { OperCredentials } from "../security/password.ts";
import { resolveTlsIdentity } from "../security/serve-tls.ts";
import type { Logger } from "./logger.ts";
import type { ServeConfig } from "./serve-config.ts";
import type { RunningServer } from "./start-server.ts";

/** Settings that are fixed for the life of the process (sockets, store, identity). */
const RESTART_ONLY = [
  "host",
  "port",
  "db",
  "history",
  "password",
  "tls",
  "name",
  "network",
  "logFormat",
  // Opened once at start: a new address or path is not served until a restart.
  "metrics",
  "adminSocket",
] as const;

/** Every password in effect, for the logger to mask. */
export function secretsOf(config: ServeConfig): string[] {
  const redisPassword = config.redis === undefined ? "" : safeUrl(config.redis)?.password;
  return [
    ...(config.password ? [config.password] : []),
    ...config.opers.map((o) => o.password),
    ...(redisPassword ? [decodeURIComponent(redisPassword)] : []),
  ];
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export function hashOpers(config: ServeConfig): OperLogin[] {
  // Hashed (argon2id) so plain passwords are not kept in server state; the
  // OPER handler awaits verify, which runs off the event loop.
  return new OperCredentials(config.opers).logins();
}

/** The limits `chat serve` sets; unset ones are the defaults, so removing a key resets it. */
export function serveLimits(config: ServeConfig): Partial<Limits> {
  return {
    floodLimit: config.floodLimit,
    maxConnectionsPerIp: config.maxPerIp ?? DEFAULT_LIMITS.maxConnectionsPerIp,
    maxConnections: config.maxClients ?? DEFAULT_LIMITS.maxConnections,
  };
}

/** The restart-only settings that differ between two configurations. */
export function needsRestart(running: ServeConfig, next: ServeConfig): string[] {
  const changed: string[] = [];
  for (const key of RESTART_ONLY) {
    if (JSON.stringify(running[key]) !== JSON.stringify(next[key])) changed.push(key);
  }
  if (running.tls && (running.tlsCert === undefined) !== (next.tlsCert === undefined)) {
    changed.push("tls-cert");
  }
  return changed;
}

export interface ReloadDeps {
  /** Read and check the configuration again; throws UsageError naming the problem. */
  load(): ServeConfig;
  running: RunningServer;
  env: Record<string, string | undefined>;
  /** Outcomes: info when applied, warn when refused or partly waiting for a restart. */
  logger: Logger;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Reloader {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private current: ServeConfig,
    private readonly deps: ReloadDeps,
  ) {}

  /** Queue a reload; signals that arrive during one run after it, in order. */
  reload(): Promise<void> {
    this.chain = this.chain.then(() => this.run());
    return this.chain;
  }

  private async run(): Promise<void> {
    const { deps } = this;
    const keep = "reload failed, keeping the running configuration:";
    let next: ServeConfig;
    let tls: { cert: string; key: string; fingerprint: string } | undefined;
    let opers: OperLogin[];
    try {
      next = deps.load();
      // A changed TLS setting needs a restart; a renewed certificate does not.
      if (this.current.tls && next.tls) tls = await resolveTlsIdentity(next, deps.env);
      opers = hashOpers(next);
      if (tls !== undefined) deps.running.setTls(tls);
    } catch (err) {
      deps.logger.log("warn", "reload-failed", `${keep} ${reason(err)}`);
      return;
    }
    deps.running.core.reconfigure({ motd: next.motd, opers, limits: serveLimits(next) });
    // The old passwords stay masked too: they may still be typed by someone.
    deps.logger.setSecrets([...secretsOf(this.current), ...secretsOf(next)]);
    deps.logger.setLevel(next.logLevel);
    const fixed = needsRestart(this.current, next);
    // What runs is the old value of each restart-only setting and the new rest.
    const applied: ServeConfig = { ...next };
    for (const key of RESTART_ONLY) {
      if (this.current[key] === undefined) delete applied[key];
      else Object.assign(applied, { [key]: this.current[key] });
    }
    this.current = applied;
    const parts = [
      `motd ${next.motd === undefined ? "off" : "set"}`,
      `${opers.length} operator${opers.length === 1 ? "" : "s"}`,
      "limits",
      ...(tls !== undefined ? [`TLS certificate ${tls.fingerprint}`] : []),
    ];
    deps.logger.log("info", "reloaded", `reloaded configuration: ${parts.join(", ")}`);
    if (fixed.length > 0) {
      const names = fixed.map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
      deps.logger.log(
        "warn",
        "reload-needs-restart",
        `not applied until a restart: ${names.join(", ")} changed`,
      );
    }
  }
}
