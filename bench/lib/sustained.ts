/**
 * (g) the tail under a long fan-out with history on: one room of 500, a fixed rate for a minute
 * (20 s in quick mode), so the SQLite WAL passes its checkpoint size many times. Reported per
 * 5 s window (p99, max) and as the server's own event-loop delay: chat's --metrics endpoint is
 * scraped every second for chat_event_loop_delay_max_seconds (the worst delay since the last
 * scrape), which shows a stall even when no message happened to wait on it.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clientSpecs, LoadGen } from "./loadgen.ts";
import { fmtStep, type ScenarioOptions, type StepResult, stepOf } from "./scenarios.ts";
import { type ChatKind, cpuMs, freePort, machineJiffies, startChat } from "./servers.ts";
import { median } from "./stats.ts";

export interface SustainedResult {
  kind: "sustained";
  rateMsgsPerSecond: number;
  windowMs: number;
  windows: StepResult[];
  /** The worst event-loop delay in each second of the run, ms (from --metrics). */
  loopDelayMs: number[];
  /** Messages stored in history after a clean stop, against those sent. */
  history: { sent: number; stored: number } | null;
}

/** The value of one unlabelled metric in Prometheus text, or null when absent. */
export function metricValue(text: string, name: string): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name} `)) continue;
    const v = Number(line.slice(name.length + 1).trim());
    return Number.isFinite(v) ? v : null;
  }
  return null;
}

export interface TailSummary {
  windows: number;
  /** Worst and median of the windows' p99, ms. */
  worstP99Ms: number;
  medianP99Ms: number;
  maxMs: number;
  delivered: number;
  loopMaxMs: number;
  loopP99Ms: number;
  /** Seconds whose worst event-loop delay passed 20 ms and 50 ms. */
  loopOver20: number;
  loopOver50: number;
}

/** The figures the report shows for one server's run; pure, so it is tested without a server. */
export function summarizeTail(r: SustainedResult): TailSummary {
  const p99s = r.windows.map((w) => w.latency.p99Ms);
  const sorted = [...r.loopDelayMs].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  const sent = r.windows.reduce((a, w) => a + w.sent, 0);
  const got = r.windows.reduce((a, w) => a + w.deliveryRatio * w.sent, 0);
  return {
    windows: r.windows.length,
    worstP99Ms: p99s.length ? Math.max(...p99s) : Number.NaN,
    medianP99Ms: median(p99s),
    maxMs: r.windows.length ? Math.max(...r.windows.map((w) => w.latency.maxMs)) : Number.NaN,
    delivered: sent > 0 ? got / sent : Number.NaN,
    loopMaxMs: sorted.length ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
    loopP99Ms: at(0.99),
    loopOver20: r.loopDelayMs.filter((d) => d > 20).length,
    loopOver50: r.loopDelayMs.filter((d) => d > 50).length,
  };
}

function storedCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.query<{ n: number }, []>("SELECT count(*) AS n FROM messages").get()?.n ?? 0;
  } finally {
    db.close();
  }
}

/** Scrape `url` every second until `stop` is set; each answer's worst loop delay, ms. */
async function scrapeLoopDelay(url: string, out: number[], stop: { done: boolean }): Promise<void> {
  while (!stop.done) {
    await Bun.sleep(1000);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const v = metricValue(await res.text(), "chat_event_loop_delay_max_seconds");
      if (v !== null) out.push(v * 1000);
    } catch {
      // A scrape the loaded machine could not answer in time is skipped, not fatal.
    }
  }
}

export async function sustainedFanout(
  opts: ScenarioOptions,
  kind: ChatKind,
  rate: number,
): Promise<SustainedResult> {
  const windowMs = 5000;
  const windowCount = opts.quick ? 4 : 12;
  const dir = mkdtempSync(join(tmpdir(), "bench-chat-tail-"));
  const metricsPort = await freePort();
  const server = await startChat({
    kind,
    dbDir: dir,
    extraArgs: ["--history", "100000000", "--metrics", `127.0.0.1:${metricsPort}`],
  });
  opts.log(`  ${kind} ${server.version} on ${server.host}:${server.port} (pid ${server.pid})`);
  const windows: StepResult[] = [];
  const loopDelayMs: number[] = [];
  const stop = { done: false };
  let history: SustainedResult["history"] = null;
  try {
    const senders = 10;
    const lg = await LoadGen.start({
      host: server.host,
      port: server.port,
      mode: "irc",
      clients: clientSpecs({
        count: 500,
        rooms: 1,
        sendersPerRoom: senders,
        nickPrefix: "t",
        srcPerAddress: opts.perSourceAddress || undefined,
      }),
      workers: opts.workers,
      log: opts.log,
    });
    let sent = 0;
    try {
      if (lg.setup.ready < 500) throw new Error(`only ${lg.setup.ready}/500 clients joined`);
      sent += (await lg.phase({ step: 0, durationMs: 1000, ratePerSender: 5 })).sent;
      const scraping = scrapeLoopDelay(
        `http://127.0.0.1:${metricsPort}/metrics`,
        loopDelayMs,
        stop,
      );
      for (let i = 1; i <= windowCount; i++) {
        const cpu0 = cpuMs(server.pid);
        const m0 = machineJiffies();
        const ph = await lg.phase({ step: i, durationMs: windowMs, ratePerSender: rate / senders });
        const m1 = machineJiffies();
        sent += ph.sent;
        const w = stepOf(ph, rate, windowMs, 499, cpuMs(server.pid) - cpu0, {
          busy: m1.busy - m0.busy,
          total: m1.total - m0.total,
        });
        windows.push(w);
        opts.log(`  window ${i}: ${fmtStep(w)}`);
        if (w.disconnected > 0) break;
      }
      stop.done = true;
      await scraping;
    } finally {
      stop.done = true;
      await lg.stop();
    }
    await server.stop();
    history = { sent, stored: storedCount(join(dir, "chat.db")) };
    opts.log(
      `  history after clean stop: ${history.stored} of ${history.sent} sent; event-loop delay per second (ms): ${loopDelayMs.map((d) => d.toFixed(0)).join(" ")}`,
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { kind: "sustained", rateMsgsPerSecond: rate, windowMs, windows, loopDelayMs, history };
}

const f1 = (n: number): string => (Number.isNaN(n) ? "—" : n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** The report's section for (g): one row per server per round. */
export function sustainedSection(
  rounds: ReadonlyArray<Partial<Record<string, SustainedResult | string>>> | undefined,
): string[] {
  if (!rounds || rounds.length === 0) return [];
  const out = [
    "## (g) the tail: a minute of fan-out with history on, checkpoints included",
    "",
    "One room of 500, 10 senders at a fixed rate, 5 s windows; the event-loop delay is the server's own (`--metrics`, chat_event_loop_delay_max_seconds scraped every second).",
    "",
    "| round | server | msg/s | delivered | p99 (median window) | p99 (worst window) | max | loop delay p99 (per second) | loop delay max | seconds with delay > 20 ms / > 50 ms | history rows after stop / messages the windows counted sent |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  rounds.forEach((round, i) => {
    for (const [k, v] of Object.entries(round)) {
      if (typeof v !== "object") {
        out.push(`| ${i + 1} | ${k} | ${String(v)} | | | | | | | | |`);
        continue;
      }
      const t = summarizeTail(v);
      const h = v.history ? `${v.history.stored} / ${v.history.sent}` : "—";
      out.push(
        `| ${i + 1} | ${k} | ${Math.round(v.rateMsgsPerSecond)} | ${(t.delivered * 100).toFixed(2)}% | ${f1(t.medianP99Ms)} ms | ${f1(t.worstP99Ms)} ms | ${f1(t.maxMs)} ms | ${f1(t.loopP99Ms)} ms | ${f1(t.loopMaxMs)} ms | ${t.loopOver20} / ${t.loopOver50} of ${v.loopDelayMs.length} | ${h} |`,
      );
    }
  });
  out.push("");
  return out;
}
