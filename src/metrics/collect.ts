/**
 * What `/metrics` shows: the server's counters and current state as
 * Prometheus families, read at scrape time (so the hot paths only ever add to
 * plain numbers), plus the usual process_* metrics. Names follow Prometheus
 * conventions: the chat_ prefix, _total on counters, seconds and bytes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { Core } from "../core/core.ts";
import { REFUSAL_REASONS } from "./counters.ts";
import type { EventLoopMonitor } from "./event-loop.ts";
import type { Family, Sample } from "./exposition.ts";

export interface MetricsSource {
  core: Core;
  loop: EventLoopMonitor;
  /** The history database file; undefined for :memory: (no store size then). */
  dbPath?: string;
  version: string;
}

function counter(name: string, help: string, value: number): Family {
  return { name, help, type: "counter", samples: [{ value }] };
}

function gauge(name: string, help: string, value: number): Family {
  return { name, help, type: "gauge", samples: [{ value }] };
}

/** Open connections by front and by TLS: one walk over the sessions per scrape. */
function connections(core: Core): Sample[] {
  const by = new Map<string, number>();
  for (const kind of ["irc", "plain", "web"])
    for (const tls of ["false", "true"]) by.set(`${kind} ${tls}`, 0);
  for (const s of core.sessions) {
    // A browser speaks IRC over a WebSocket: counted as the web front.
    const front = s.conn.transport === "web" ? "web" : s.front.kind;
    const key = `${front} ${s.conn.secure === true}`;
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  return [...by].map(([key, value]) => {
    const [front = "", tls = ""] = key.split(" ");
    return { labels: { front, tls }, value };
  });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The soft limit on open files, from /proc (Linux); undefined elsewhere. */
function maxFds(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const n = Number(line?.split(/\s+/)[3]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function openFds(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

function processFamilies(): Family[] {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const started = Date.now() / 1000 - process.uptime();
  const out: Family[] = [
    counter(
      "process_cpu_seconds_total",
      "Total user and system CPU time spent in seconds.",
      (cpu.user + cpu.system) / 1e6,
    ),
    gauge("process_resident_memory_bytes", "Resident memory size in bytes.", mem.rss),
    gauge("process_heap_bytes", "JavaScript heap size in bytes.", mem.heapTotal),
    gauge(
      "process_start_time_seconds",
      "Start time of the process since unix epoch in seconds.",
      Math.round(started),
    ),
  ];
  const fds = openFds();
  if (fds !== undefined)
    out.push(gauge("process_open_fds", "Number of open file descriptors.", fds));
  const max = maxFds();
  if (max !== undefined) {
    out.push(gauge("process_max_fds", "Maximum number of open file descriptors.", max));
  }
  return out;
}

export function collect(src: MetricsSource): Family[] {
  const { core } = src;
  const c = core.counters;
  const h = c.historyFlush;
  const families: Family[] = [
    {
      name: "chat_info",
      help: "The running chat version (always 1).",
      type: "gauge",
      samples: [{ labels: { version: src.version }, value: 1 }],
    },
    {
      name: "chat_connections",
      help: "Open connections by front (irc, plain, web) and whether they use TLS.",
      type: "gauge",
      samples: connections(core),
    },
    counter("chat_connections_accepted_total", "Connections accepted.", c.connectionsAccepted),
    {
      name: "chat_connections_refused_total",
      help: "Connections refused, by reason (kline: at registration, the others before a word).",
      type: "counter",
      samples: [...REFUSAL_REASONS, "kline" as const].map((reason) => ({
        labels: { reason },
        value: c.refused[reason],
      })),
    },
    gauge(
      "chat_registered_users",
      "Users registered on this server.",
      core.registry.registeredCount,
    ),
    gauge("chat_rooms", "Rooms that exist on this server.", core.registry.rooms.size),
    gauge("chat_operators", "Server operators connected.", core.registry.operCount),
    {
      name: "chat_server_bans",
      help: "Server bans in force (kline: by mask, dline: by address).",
      type: "gauge",
      samples: [
        { labels: { kind: "kline" }, value: core.admission.listBans("mask").length },
        { labels: { kind: "dline" }, value: core.admission.listBans("ip").length },
      ],
    },
    counter(
      "chat_messages_received_total",
      "PRIVMSG and NOTICE accepted from users.",
      c.messagesIn,
    ),
    counter(
      "chat_deliveries_total",
      "Copies of events queued to connections (one per recipient).",
      c.deliveriesOut,
    ),
    counter("chat_received_bytes_total", "Bytes of text received from clients.", c.bytesIn),
    counter("chat_sent_bytes_total", "Bytes written to client sockets.", c.bytesOut),
    {
      name: "chat_disconnects_total",
      help: "Connections cut off by the server, by reason (sendq: stopped reading; flood: sent too fast).",
      type: "counter",
      samples: [
        { labels: { reason: "sendq" }, value: c.sendQDisconnects },
        { labels: { reason: "flood" }, value: c.floodDisconnects },
      ],
    },
    counter(
      "chat_history_appends_total",
      "Messages handed to the history store.",
      c.historyAppends,
    ),
    {
      name: "chat_history_flush_seconds",
      help: "Time to commit a turn's messages to the history store.",
      type: "histogram",
      bounds: h.bounds,
      counts: h.counts,
      sum: h.sum,
      count: h.count,
    },
    gauge(
      "chat_event_loop_delay_seconds",
      "How late the last event-loop probe ran.",
      src.loop.last,
    ),
    gauge(
      "chat_event_loop_delay_max_seconds",
      "The worst event-loop delay since the previous scrape.",
      src.loop.takeWorst(),
    ),
  ];
  if (src.dbPath !== undefined) {
    const size = fileSize(src.dbPath) + fileSize(`${src.dbPath}-wal`);
    families.push(
      gauge("chat_store_size_bytes", "History database size with its WAL, bytes.", size),
    );
  }
  const lag = core.bus.lagSeconds;
  if (lag !== undefined) {
    families.push(
      gauge(
        "chat_bus_lag_seconds",
        "With --redis: time from another node's publishing of the last event read to its delivery here.",
        lag,
      ),
    );
  }
  return [...families, ...processFamilies()];
}
