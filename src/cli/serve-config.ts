/** `chat serve` flags and the pure check that turns them into a ServeConfig. */

import type { LogLevel } from "../core/log.ts";
import { LOG_LEVELS } from "../core/log.ts";
import { LOG_FORMATS, type LogFormat } from "./logger.ts";
import { parseMetricsAddress } from "./metrics-flag.ts";
import type { HostPort } from "./options.ts";
import {
  DEFAULT_HISTORY,
  DEFAULT_PORT,
  lastString,
  type OperCredential,
  parseOper,
  parsePort,
  parsePositiveInt,
  type RawArgs,
} from "./options.ts";
import { UsageError } from "./usage-error.ts";

export interface ServeConfig {
  host: string;
  port: number;
  /** A file path, or ":memory:" to keep nothing. Undefined: the XDG default. */
  db?: string;
  history: number;
  password?: string;
  tls: boolean;
  tlsCert?: string;
  tlsKey?: string;
  opers: OperCredential[];
  motd?: string;
  floodLimit: boolean;
  quiet: boolean;
  /** The server name in every prefix. Undefined: the host name (see defaultServerName). */
  name?: string;
  /** NETWORK in ISUPPORT and the welcome. */
  network: string;
  /** Connection caps; undefined keeps the core's defaults. */
  maxPerIp?: number;
  maxClients?: number;
  logFormat: LogFormat;
  /** Default info; --quiet alone means warn. */
  logLevel: LogLevel;
  /** `--metrics`: serve Prometheus text here; undefined: off. */
  metrics?: HostPort;
  /** `--admin-socket`: where `chat admin` reaches this server; default beside the --db file. */
  adminSocket?: string;
  /** redis:// or rediss:// URL: run as one node of a network (docs/CLUSTER.md). */
  redis?: string;
  /** Share the port with other `chat serve --redis` processes on this host. */
  reusePort?: boolean;
  /** `--node-ttl`: seconds of silence before the other nodes drop this one (heartbeat a third). */
  nodeTtlSeconds?: number;
  /** The web client on the main port (`--no-web` turns it off). */
  web: boolean;
  /** A dedicated port for the web client too. */
  webPort?: number;
  /** Origins allowed to open a WebSocket besides the page's own. */
  webOrigins: string[];
  /** Days a claimed nick is kept without its owner logging in. */
  claimDays: number;
}

const SERVER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A server name: host-name syntax, at most 63 characters (it appears in every prefix). */
export function isServerName(name: string): boolean {
  return name.length <= 63 && SERVER_NAME.test(name);
}

/** This host's name lowercased, or chat.server when it is not usable as a server name. */
export function defaultServerName(hostname: string): string {
  const name = hostname.trim().toLowerCase();
  return isServerName(name) ? name : "chat.server";
}

export const serveArgs = {
  host: { type: "string", description: "Address to listen on", default: "0.0.0.0" },
  port: {
    type: "string",
    description: "TCP port to listen on (0 picks a free one)",
    default: String(DEFAULT_PORT),
  },
  db: {
    type: "string",
    description:
      "SQLite history file, or :memory: to keep nothing (default: $XDG_DATA_HOME/chat/chat.db)",
  },
  history: {
    type: "string",
    description: "Messages kept per room",
    default: String(DEFAULT_HISTORY),
  },
  password: { type: "string", description: "Password every user must give (or set CHAT_PASSWORD)" },
  tls: {
    type: "boolean",
    description:
      "Serve TLS; without --tls-cert/--tls-key a self-signed certificate is made and kept",
  },
  "tls-cert": { type: "string", description: "PEM certificate file for TLS" },
  "tls-key": { type: "string", description: "PEM private key file for TLS" },
  oper: { type: "string", description: "Operator login NAME:PASSWORD (repeatable)" },
  motd: { type: "string", description: "Message of the day shown to everyone who connects" },
  "flood-limit": {
    type: "boolean",
    description:
      "Throttle clients that send too fast; --no-flood-limit turns it off for benchmarks",
    default: true,
  },
  quiet: { type: "boolean", description: "Do not log connects and disconnects" },
  name: {
    type: "string",
    description: "Server name shown in every reply (default: this host's name, or chat.server)",
  },
  network: { type: "string", description: "Network name (NETWORK in ISUPPORT)", default: "chat" },
  "max-per-ip": {
    type: "string",
    description: "Connections allowed from one address (default 100)",
  },
  "max-clients": { type: "string", description: "Connections allowed in total (default 19000)" },
  redis: {
    type: "string",
    description:
      "Join a network of nodes over Redis: redis://[user:pass@]host:port[/db] or rediss:// (or set CHAT_REDIS)",
  },
  "reuse-port": {
    type: "boolean",
    description:
      "Share the port with other chat serve --redis processes on this host (SO_REUSEPORT)",
  },
  "node-ttl": {
    type: "string",
    description:
      "With --redis: seconds without a heartbeat before a node is lost and its users quit (default 15; heartbeats every third)",
  },
  "log-format": {
    type: "string",
    description: "Log lines on stderr as text or json (one event a line)",
    default: "text",
  },
  "log-level": {
    type: "string",
    description: "Least important events logged: debug, info, warn or error (default info)",
  },
  config: {
    type: "string",
    description: "TOML file of settings; keys are these flag names (or set CHAT_CONFIG)",
  },
  "print-config": {
    type: "boolean",
    description: "Print the effective settings (secrets masked) and exit",
  },
  metrics: {
    type: "string",
    description: "Serve Prometheus metrics and /healthz on [HOST:]PORT (host default 127.0.0.1)",
  },
  "admin-socket": {
    type: "string",
    description:
      "Unix socket for `chat admin` (default: beside the --db file, chat.db -> chat.sock; none for :memory:)",
  },
  web: {
    type: "boolean",
    description: "Serve the web client on the main port; --no-web turns it off",
    default: true,
  },
  "web-port": { type: "string", description: "Also serve the web client on this port" },
  "web-origin": {
    type: "string",
    description:
      "Another origin allowed to connect over WebSocket, e.g. https://app.example (repeatable; * for any)",
  },
  "claim-days": {
    type: "string",
    description: "Days a claimed nick is kept without its owner logging in",
    default: "90",
  },
} as const;

/** Check and type the flags; pure, so tested without starting anything. */
export function toServeConfig(args: RawArgs, env: Record<string, string | undefined>): ServeConfig {
  const tlsCert = lastString(args["tls-cert"]);
  const tlsKey = lastString(args["tls-key"]);
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key must be given together");
  }
  const operRaw = args.oper;
  const opers = (
    Array.isArray(operRaw) ? operRaw : typeof operRaw === "string" ? [operRaw] : []
  ).map(parseOper);
  const password = lastString(args.password) ?? env.CHAT_PASSWORD;
  const config: ServeConfig = {
    host: checkHost(lastString(args.host) ?? "0.0.0.0"),
    port: parsePort(lastString(args.port) ?? String(DEFAULT_PORT)),
    history: parsePositiveInt(lastString(args.history) ?? String(DEFAULT_HISTORY), "--history"),
    tls: args.tls === true || tlsCert !== undefined,
    opers,
    floodLimit: args["flood-limit"] !== false,
    quiet: args.quiet === true,
    network: checkNetwork(lastString(args.network) ?? "chat"),
    logFormat: oneOf(lastString(args["log-format"]) ?? "text", LOG_FORMATS, "--log-format"),
    logLevel: oneOf(
      lastString(args["log-level"]) ?? (args.quiet === true ? "warn" : "info"),
      LOG_LEVELS,
      "--log-level",
    ),
    web: args.web !== false,
    webOrigins: webOrigins(args["web-origin"]),
    claimDays: parsePositiveInt(lastString(args["claim-days"]) ?? "90", "--claim-days"),
  };
  if (args["reuse-port"] === true) config.reusePort = true;
  const redis = lastString(args.redis) ?? env.CHAT_REDIS;
  if (redis !== undefined && redis !== "") config.redis = checkRedisUrl(redis);
  if (config.reusePort === true && config.redis === undefined) {
    throw new UsageError(
      "--reuse-port needs --redis: processes sharing a port must form one network, or users would land on separate servers",
    );
  }
  const nodeTtl = lastString(args["node-ttl"]);
  if (nodeTtl !== undefined) config.nodeTtlSeconds = checkNodeTtl(nodeTtl, config.redis);
  const webPort = lastString(args["web-port"]);
  if (webPort !== undefined) config.webPort = parsePort(webPort, "--web-port");
  const name = lastString(args.name);
  if (name !== undefined) {
    if (!isServerName(name)) {
      throw new UsageError(
        `--name must be a host-like name (letters, digits, '-', '.'; at most 63), e.g. chat.example.org, not ${JSON.stringify(name)}`,
      );
    }
    config.name = name.toLowerCase();
  }
  const perIp = lastString(args["max-per-ip"]);
  if (perIp !== undefined) config.maxPerIp = parsePositiveInt(perIp, "--max-per-ip");
  const clients = lastString(args["max-clients"]);
  if (clients !== undefined) config.maxClients = parsePositiveInt(clients, "--max-clients");
  const db = lastString(args.db);
  if (db !== undefined) {
    if (db.trim() === "") throw new UsageError("--db must be a file path or :memory:");
    config.db = db;
  }
  if (password !== undefined && password !== "") config.password = password;
  if (tlsCert !== undefined) config.tlsCert = tlsCert;
  if (tlsKey !== undefined) config.tlsKey = tlsKey;
  const motd = lastString(args.motd);
  if (motd !== undefined) config.motd = motd;
  const metrics = lastString(args.metrics);
  if (metrics !== undefined) config.metrics = parseMetricsAddress(metrics);
  const adminSocket = lastString(args["admin-socket"]);
  if (adminSocket !== undefined) {
    if (adminSocket.trim() === "") throw new UsageError("--admin-socket must be a file path");
    config.adminSocket = adminSocket;
  }
  return config;
}

/** redis:// or rediss:// with a host; anything else is a usage error naming the form. */
function checkRedisUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^rediss?:$/.test(parsed.protocol) || parsed.hostname === "") {
    throw new UsageError(
      "--redis must be redis://[user:pass@]host:port[/db] or rediss://... for TLS, e.g. redis://127.0.0.1:6379",
    );
  }
  return url;
}

/** 1 to 3600 seconds, and only beside --redis (a lone server has no heartbeat). */
function checkNodeTtl(raw: string, redis: string | undefined): number {
  const seconds = parsePositiveInt(raw, "--node-ttl");
  if (seconds > 3600) throw new UsageError(`--node-ttl must be 1 to 3600 seconds, not ${raw}`);
  if (redis === undefined) {
    throw new UsageError("--node-ttl needs --redis: only nodes of a network send heartbeats");
  }
  return seconds;
}

function oneOf<T extends string>(raw: string, allowed: readonly T[], flag: string): T {
  const v = raw.trim().toLowerCase();
  const hit = allowed.find((a) => a === v);
  if (hit === undefined) {
    throw new UsageError(
      `${flag} must be one of ${allowed.join(", ")}, not ${JSON.stringify(raw)}`,
    );
  }
  return hit;
}

/** Whether it resolves is learnt at listen time; an empty or spaced host is a typo now. */
function checkHost(host: string): string {
  if (host.trim() === "" || /\s/.test(host)) {
    throw new UsageError(
      `--host must be an address or host name such as 0.0.0.0, ::, 127.0.0.1 or localhost, not ${JSON.stringify(host)}`,
    );
  }
  return host;
}

function checkNetwork(network: string): string {
  if (network.length > 32 || !NETWORK_NAME.test(network)) {
    throw new UsageError(
      `--network must be 1 to 32 letters, digits, '.', '_' or '-', not ${JSON.stringify(network)}`,
    );
  }
  return network;
}

/** Each --web-origin as a browser sends it: scheme://host[:port], or `*`. */
function webOrigins(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : [];
  return list.map((o: unknown) => {
    const text = String(o).trim();
    if (text === "*") return text;
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new UsageError(
        `--web-origin must be an origin like https://chat.example.org (or *), not ${JSON.stringify(text)}`,
      );
    }
    return url.origin;
  });
}
