/**
 * The benchmark scenarios (issue 7): each takes a running server and returns plain numbers.
 * Every scenario is bounded in client count, steps and wall time, and targets 127.0.0.1 only.
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { clientSpecs, LoadGen, type LoopDelay, type PhaseSummary } from "./loadgen.ts";
import type { ClientMode } from "./protocol.ts";
import {
  type ChatKind,
  canConnect,
  chatBinaryPath,
  cpuMs,
  freePort,
  inspircdConfig,
  isChatKind,
  machineJiffies,
  ngircdConfig,
  REPO_ROOT,
  type RunningServer,
  rssKiB,
  type ServerKind,
  startChat,
  startServer,
} from "./servers.ts";
import { type LatencySummary, median, summarizeDelivery, summarizeLatency } from "./stats.ts";

export interface ScenarioOptions {
  quick: boolean;
  workers: number;
  /** Clients per 127.0.0.0/8 source address (0 = one address, kernel-chosen). */
  perSourceAddress: number;
  log: (line: string) => void;
  /** What the load generator asks for (bench --caps); undefined = LoadGen's default. */
  caps?: string[];
}

export interface StepResult {
  step: number;
  targetMsgsPerSecond: number;
  sent: number;
  sentPerSecond: number;
  skipped: number;
  deliveryRatio: number;
  deliveriesPerSecond: number;
  latency: LatencySummary;
  generatorCpu: number[];
  /** Per worker: the generator's own event-loop delay (absent in older result files). */
  generatorLoop?: LoopDelay[];
  serverCpu: number;
  /** Cores busy on the whole machine during the step (server + generator + anything else). */
  machineBusyCores: number;
  disconnected: number;
  /** Why clients were dropped, with counts (cumulative over the run). */
  dropReasons: Record<string, number>;
  pass: boolean;
}

export interface FanoutResult {
  kind: "fanout";
  mode: ClientMode;
  clients: number;
  ready: number;
  senders: number;
  ackedCaps: string[];
  setupErrors: string[];
  steps: StepResult[];
  /** Highest passing step (delivery >= 99% and p99 <= 1 s). */
  best: StepResult | null;
  /** Highest step that also kept p99 <= 100 ms (the target's condition). */
  best100ms: StepResult | null;
  generatorSaturated: boolean;
  /** Messages written by the senders over the whole ramp, warm-up included. */
  totalSent: number;
  /** Messages sent during the unreported warm-up (step 0). */
  warmupSent: number;
  /** Our server only: all rows in its SQLite history after a clean stop. */
  historyStoredAll?: number;
  /** Our server only: sent vs stored over the steps (warm-up included) where no client was dropped. */
  historyCheck?: { steps: number; sent: number; stored: number };
}

export function stepOf(
  ph: PhaseSummary,
  target: number,
  durationMs: number,
  recipients: number,
  serverCpuMs: number,
  machine: { busy: number; total: number },
): StepResult {
  const secs = durationMs / 1000;
  const d = summarizeDelivery({
    sent: ph.sent,
    recipientsPerMessage: recipients,
    received: ph.received,
    windowSeconds: secs,
  });
  const latency = summarizeLatency(ph.latency);
  const sentPerSecond = ph.sent / secs;
  const pass =
    d.ratio >= 0.99 && latency.p99Ms <= 1000 && sentPerSecond >= 0.95 * target && ph.sent > 0;
  return {
    step: ph.step,
    targetMsgsPerSecond: target,
    sent: ph.sent,
    sentPerSecond,
    skipped: ph.skipped,
    deliveryRatio: d.ratio,
    deliveriesPerSecond: d.deliveriesPerSecond,
    latency,
    generatorCpu: ph.workerCpu,
    generatorLoop: ph.workerLoop,
    serverCpu: serverCpuMs / ph.wallMs,
    machineBusyCores: machine.total > 0 ? (machine.busy / machine.total) * cpus().length : 0,
    disconnected: ph.disconnected,
    dropReasons: ph.dropReasons,
    pass,
  };
}

export function fmtReasons(r: Record<string, number>): string {
  return Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v}x ${k}`)
    .join("; ");
}

export function fmtStep(s: StepResult): string {
  return (
    `${Math.round(s.targetMsgsPerSecond)} msg/s -> ${(s.deliveriesPerSecond / 1e6).toFixed(3)} M del/s, ` +
    `delivered ${(s.deliveryRatio * 100).toFixed(2)}%, p50 ${s.latency.p50Ms.toFixed(1)} ms, ` +
    `p99 ${s.latency.p99Ms.toFixed(1)} ms, max ${s.latency.maxMs.toFixed(0)} ms, ` +
    `server cpu ${(s.serverCpu * 100).toFixed(0)}%, machine ${s.machineBusyCores.toFixed(2)} cores busy, gen cpu ${s.generatorCpu.map((c) => `${(c * 100).toFixed(0)}%`).join("/")}` +
    `${s.disconnected ? `, ${s.disconnected} disconnected (${fmtReasons(s.dropReasons)})` : ""}${s.pass ? "" : "  FAIL"}`
  );
}

/** One measured step: the generator's phase with the server's CPU and the machine's load around it. */
export async function measuredPhase(
  server: RunningServer,
  lg: LoadGen,
  step: number,
  totalRate: number,
  durationMs: number,
  senders: number,
  recipients: number,
): Promise<StepResult> {
  const cpu0 = cpuMs(server.pid);
  const m0 = machineJiffies();
  const ph = await lg.phase({ step, durationMs, ratePerSender: totalRate / senders });
  const m1 = machineJiffies();
  return stepOf(ph, totalRate, durationMs, recipients, cpuMs(server.pid) - cpu0, {
    busy: m1.busy - m0.busy,
    total: m1.total - m0.total,
  });
}

/** A ramp's rungs: the first rate (messages/s from all senders), the step between rungs. */
export interface Ladder {
  startMsgsPerSecond: number;
  factor: number;
  maxSteps: number;
}

/**
 * (a) and (d): one room, `senders` of its members send at a rate ramped by x1.5 per step until
 * delivery < 99%, p99 > 1 s, or the generator cannot send at the asked rate.
 */
export async function fanoutRamp(
  server: RunningServer,
  mode: ClientMode,
  opts: ScenarioOptions,
  /** How the clients connect: TCP, WebSocket (the web front), or every other one each way. */
  transport: "tcp" | "ws" | "mix" = "tcp",
  tls = false,
  /** Rungs of the ramp other than (a)'s x1.5 from 200 msg/s (one from 1,012 with --quick). */
  ladder?: Ladder,
): Promise<FanoutResult> {
  // Quick mode (the guard) keeps the room of 500 and the same rungs of the ladder, so its
  // ratios compare with the full run's; it only skips the low rungs and runs shorter steps.
  const clients = 500;
  const senders = 10;
  const durationMs = opts.quick ? 2000 : 5000;
  const maxSteps = ladder?.maxSteps ?? (opts.quick ? 10 : 16);
  const factor = ladder?.factor ?? 1.5;
  // total messages per second across all senders
  let rate = ladder?.startMsgsPerSecond ?? (opts.quick ? 200 * 1.5 ** 4 : 200);
  const specs = clientSpecs({
    count: clients,
    rooms: 1,
    sendersPerRoom: senders,
    nickPrefix: mode === "plain" ? "p" : "f",
    srcPerAddress: opts.perSourceAddress || undefined,
  });
  if (mode === "plain") for (const s of specs) s.room = "#lobby";
  if (transport !== "tcp") {
    for (const [i, s] of specs.entries()) if (transport === "ws" || i % 2 === 1) s.ws = true;
  }
  const lg = await LoadGen.start({
    host: server.host,
    port: server.port,
    mode,
    clients: specs,
    workers: opts.workers,
    log: opts.log,
    tls,
    ...(opts.caps !== undefined ? { caps: opts.caps } : {}),
  });
  const steps: StepResult[] = [];
  const setup = lg.setup;
  let totalSent = 0;
  let warmupSent = 0;
  try {
    opts.log(
      `  ${lg.setup.ready}/${clients} clients ready in ${lg.setup.setupMs} ms, caps [${lg.setup.ackedCaps.join(" ")}]` +
        (lg.setup.errors.length ? `; errors: ${lg.setup.errors.join(" | ")}` : ""),
    );
    if (lg.setup.ready < clients) {
      throw new Error(
        `only ${lg.setup.ready}/${clients} clients joined: ${lg.setup.errors.join(" | ")}`,
      );
    }
    // Warm up (JIT, TCP windows) at a low rate; not reported.
    warmupSent = (await lg.phase({ step: 0, durationMs: 1000, ratePerSender: 5 })).sent;
    totalSent += warmupSent;
    // The machine is shared (other processes may run): a failed step is tried once more before
    // the ramp stops, so one stray stall does not end it.
    let retried = false;
    for (let i = 1; i <= maxSteps; i++) {
      const s = await measuredPhase(server, lg, i, rate, durationMs, senders, clients - 1);
      totalSent += s.sent;
      steps.push(s);
      opts.log(`  step ${i}: ${fmtStep(s)}`);
      if (!s.pass) {
        // Clients the server dropped (SendQ exceeded) are gone: a retry would measure fewer.
        if (retried || s.disconnected > 0) break;
        retried = true;
        continue;
      }
      retried = false;
      rate *= factor;
    }
  } finally {
    await lg.stop();
  }
  const passing = steps.filter((s) => s.pass);
  const best = passing.reduce<StepResult | null>(
    (b, s) => (!b || s.deliveriesPerSecond > b.deliveriesPerSecond ? s : b),
    null,
  );
  const best100ms = passing
    .filter((s) => s.latency.p99Ms <= 100)
    .reduce<StepResult | null>(
      (b, s) => (!b || s.deliveriesPerSecond > b.deliveriesPerSecond ? s : b),
      null,
    );
  const last = steps[steps.length - 1];
  return {
    kind: "fanout",
    mode,
    clients,
    ready: setup.ready,
    senders,
    ackedCaps: setup.ackedCaps,
    setupErrors: setup.errors,
    steps,
    best,
    best100ms,
    generatorSaturated: !!last && last.generatorCpu.some((c) => c > 0.9),
    totalSent,
    warmupSent,
  };
}

/**
 * (a) on our server with history on, then (e)'s end-to-end check: after a clean stop, every
 * message the senders wrote must be in the SQLite history (retention raised above the total).
 */
export async function fanoutChatWithHistory(
  opts: ScenarioOptions,
  kind: ChatKind = "chat",
): Promise<FanoutResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-chat-history-"));
  try {
    const server = await startChat({ kind, dbDir: dir, extraArgs: ["--history", "100000000"] });
    opts.log(
      `  ${kind} ${server.version} on ${server.host}:${server.port} (pid ${server.pid}), history in ${dir}`,
    );
    let result: FanoutResult;
    try {
      result = await fanoutRamp(server, "irc", opts);
    } finally {
      await server.stop();
    }
    // Only steps in which no client was dropped count: a dropped sender's last lines may sit
    // unread in its socket when the server cuts it off, so they were never accepted. The
    // step number is in every message's marker, so each step is counted on its own.
    const clean = [{ step: 0, sent: result.warmupSent }, ...result.steps].filter(
      (st) => !("disconnected" in st) || st.disconnected === 0,
    );
    const db = new Database(join(dir, "chat.db"), { readonly: true });
    let stored = 0;
    try {
      result.historyStoredAll =
        db.query<{ n: number }, []>("SELECT count(*) AS n FROM messages").get()?.n ?? 0;
      const q = db.query<{ n: number }, [string]>(
        "SELECT count(*) AS n FROM messages WHERE instr(text, ?) > 0",
      );
      for (const st of clean) stored += q.get(`%%${st.step}S`)?.n ?? 0;
    } finally {
      db.close();
    }
    result.historyCheck = {
      steps: clean.length,
      sent: clean.reduce((a, st) => a + st.sent, 0),
      stored,
    };
    opts.log(
      `  history after clean stop: ${stored} of ${result.historyCheck.sent} messages sent in the ${clean.length} steps without dropped clients (all rows: ${result.historyStoredAll} of ${result.totalSent} sent)`,
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface IdleResult {
  kind: "idle";
  emptyRssKiB: number;
  /** [asked, held, rss KiB, KiB per connection above empty] */
  points: Array<{
    asked: number;
    held: number;
    rssKiB: number;
    perConnKiB: number;
    errors: string[];
  }>;
}

async function settleRss(pid: number): Promise<number> {
  // Let the server finish allocating for the last arrivals, then take the lowest of a few reads.
  await Bun.sleep(1500);
  const reads: number[] = [];
  for (let i = 0; i < 3; i++) {
    reads.push(rssKiB(pid));
    await Bun.sleep(200);
  }
  return Math.min(...reads);
}

/**
 * (c): registered idle connections (no channel) and the server's RSS per connection above the
 * empty server: first `sizes[0]` connections, then more on the same server up to `sizes[1]`
 * (as many as the 20,000 open-file cap allows). The generator spreads over processes so none
 * passes the cap; each batch has a time budget, and what is held by then is reported.
 */
export async function idleConnections(
  kind: ServerKind,
  opts: ScenarioOptions,
): Promise<IdleResult> {
  // Quick mode (the guard) measures the full run's first point only, so the ratios compare.
  const sizes = opts.quick ? [10_000] : [10_000, 19_900];
  const budgetMs = opts.quick ? 45_000 : 90_000;
  const points: IdleResult["points"] = [];
  const server = await startServer(kind);
  const gens: LoadGen[] = [];
  try {
    const emptyRssKiB = await settleRss(server.pid);
    let have = 0;
    let held = 0;
    const errors: string[] = [];
    for (const asked of sizes) {
      const specs = clientSpecs({
        count: asked - have,
        rooms: 1,
        sendersPerRoom: 0,
        nickPrefix: "i",
        srcPerAddress: opts.perSourceAddress || undefined,
        firstId: have,
      });
      for (const s of specs) s.room = "";
      const lg = await LoadGen.start({
        host: server.host,
        port: server.port,
        mode: "irc",
        clients: specs,
        workers: Math.max(2, Math.ceil(specs.length / 5000)),
        connectConcurrency: 128,
        setupTimeoutMs: budgetMs,
        log: opts.log,
      });
      gens.push(lg);
      have = asked;
      held += lg.setup.ready;
      for (const e of lg.setup.errors) if (!errors.includes(e)) errors.push(e);
      const rss = await settleRss(server.pid);
      const perConnKiB = held > 0 ? (rss - emptyRssKiB) / held : Number.NaN;
      points.push({ asked, held, rssKiB: rss, perConnKiB, errors: [...errors] });
      opts.log(
        `  ${held}/${asked} held (${lg.setup.setupMs} ms), RSS ${rss} KiB (empty ${emptyRssKiB} KiB) -> ${perConnKiB.toFixed(2)} KiB/conn` +
          (errors.length ? `; errors: ${errors.join(" | ")}` : ""),
      );
    }
    return { kind: "idle", emptyRssKiB, points };
  } finally {
    await Promise.all(gens.map((g) => g.stop()));
    await server.stop();
  }
}

export interface StartupResult {
  kind: "startup";
  runs: number[];
  medianMs: number;
}

/** One start of (f): spawn, connect in a tight bounded retry loop, stop; NaN if it never accepted. */
async function startOnce(kind: ServerKind): Promise<number> {
  const port = await freePort();
  const { cmd, cleanup } = startupCommand(kind, port);
  const t0 = performance.now();
  const proc = Bun.spawn(cmd, { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
  let ms = Number.NaN;
  try {
    const deadline = t0 + 10_000;
    while (performance.now() < deadline && proc.exitCode === null) {
      if (await canConnect("127.0.0.1", port)) {
        ms = performance.now() - t0;
        break;
      }
      await Bun.sleep(1);
    }
  } finally {
    proc.kill("SIGTERM");
    const done = await Promise.race([
      proc.exited.then(() => true),
      Bun.sleep(5000).then(() => false),
    ]);
    if (!done) proc.kill("SIGKILL");
    await proc.exited;
    cleanup();
  }
  return ms;
}

/**
 * (f) for every server, the starts interleaved (A, B, C, A, B, C, ...): on a shared machine the
 * load from other work comes and goes, and interleaving spreads it over all servers alike
 * instead of over whichever ran during a busy spell. Median over the runs of each.
 */
export async function startupInterleaved(
  kinds: readonly ServerKind[],
  opts: ScenarioOptions,
): Promise<Partial<Record<ServerKind, StartupResult>>> {
  const runs = new Map<ServerKind, number[]>(kinds.map((k) => [k, []]));
  const n = opts.quick ? 3 : 20;
  for (let i = 0; i < n; i++) {
    for (const k of kinds) runs.get(k)?.push(await startOnce(k));
  }
  const out: Partial<Record<ServerKind, StartupResult>> = {};
  for (const [k, r] of runs) {
    opts.log(`  ${k} runs: ${r.map((x) => x.toFixed(1)).join(", ")} ms`);
    out[k] = { kind: "startup", runs: r, medianMs: median(r.filter((x) => !Number.isNaN(x))) };
  }
  return out;
}

function startupCommand(kind: ServerKind, port: number): { cmd: string[]; cleanup: () => void } {
  if (isChatKind(kind)) {
    return {
      cmd: [
        chatBinaryPath(kind),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--db",
        ":memory:",
        "--quiet",
      ],
      cleanup: () => {},
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `bench-start-${kind}-`));
  writeFileSync(join(dir, "motd.txt"), "benchmark\n");
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  if (kind === "inspircd") {
    writeFileSync(join(dir, "inspircd.conf"), inspircdConfig(dir, port));
    return {
      cmd: [
        "/usr/sbin/inspircd",
        "--nofork",
        "--runasroot",
        `--config=${join(dir, "inspircd.conf")}`,
      ],
      cleanup,
    };
  }
  writeFileSync(join(dir, "ngircd.conf"), ngircdConfig(dir, port));
  return { cmd: ["/usr/sbin/ngircd", "--nodaemon", "--config", join(dir, "ngircd.conf")], cleanup };
}

export interface HistoryResult {
  kind: "history";
  available: boolean;
  output: Record<string, unknown> | null;
  raw: string;
  command: string;
}

/** (e): runs bench/history-write.ts (owned by the store) when it exists; its JSON line is the result. */
export async function historyWrite(opts: ScenarioOptions): Promise<HistoryResult> {
  const script = join(REPO_ROOT, "bench/history-write.ts");
  const args = opts.quick ? ["--messages", "20000"] : [];
  const command = `bun bench/history-write.ts ${args.join(" ")}`.trim();
  if (!existsSync(script))
    return { kind: "history", available: false, output: null, raw: "", command };
  const proc = Bun.spawn([process.execPath, script, ...args], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  await proc.exited;
  clearTimeout(killer);
  const lastLine = out.trim().split("\n").pop() ?? "";
  let output: Record<string, unknown> | null = null;
  try {
    output = JSON.parse(lastLine) as Record<string, unknown>;
  } catch {
    output = null;
  }
  opts.log(`  ${output ? JSON.stringify(output) : `no JSON result: ${(out + err).slice(-300)}`}`);
  return { kind: "history", available: true, output, raw: (out + err).slice(-2000), command };
}
