/**
 * `npm run bench`: the benchmark matrix of issue 7, our server side by side with InspIRCd and
 * ngIRCd in one run, written to BENCHMARKS.md.
 *
 *   npm run bench                          full matrix (~35 min), writes BENCHMARKS.md
 *   npm run bench -- --quick               the guard (< 2 min): (a) and (c), chat and InspIRCd, short
 *                                          steps; warns when a ratio chat / InspIRCd is more than 10%
 *                                          worse than in BENCHMARKS.md; writes bench/results/quick.md
 *   npm run bench -- --quick --scenario b  any scenario at small N, short steps
 *   npm run bench -- --scenario a --servers chat,inspircd
 *   npm run bench -- --profile-only        CPU profile of our server under (a)
 *   npm run bench -- --scenario a --servers chat,inspircd --baseline /tmp/chat-old --rounds 3
 *                                          dist/chat and an older build side by side, with the
 *                                          ratio chat / chat-baseline (see "Comparing two builds")
 *
 *   npm run bench -- --scenario g --servers chat --baseline /tmp/chat-old --rounds 2 --rate 3000
 *                                          the tail under a minute of fan-out with history on
 *                                          (checkpoints included): p99/max per 5 s window and the
 *                                          server's event-loop delay, two builds side by side
 *
 *   npm run bench -- --scenario h --servers chat,inspircd
 *                                          (a) over TLS, the same self-signed certificate on both
 *
 *   npm run bench -- --scenario j           WebSocket fan-out beside TCP (issue 15): one room of 500
 *                                          over TCP, WebSocket on the main port, half each, and
 *                                          WebSocket on --web-port (also: npm run bench:web)
 *
 * Flags: --scenario a,b,c,d,e,f,g,h,i,j (i: two nodes over Redis against one, bench/cluster.ts)  --servers chat,inspircd,ngircd  --quick  --workers N
 *        --per-ip N (clients per 127.0.0.0/8 source address, 0 = one address)  --rebuild
 *        --no-profile  --out FILE  --rate MSGS_PER_S (for --profile-only, default 3000, and (g),
 *          default 6413 = 3.2 M deliveries/s into the room of 500, 3000 with --quick)
 *        --chat-binary PATH (benchmark another build instead of dist/chat)
 *        --baseline PATH (also run this older build, as server "chat-baseline", right before chat)
 *        --rounds N (run (a) N times, the server order alternating each round; default 1; also
 *          the number of (g) runs, default 5, 1 with --quick)
 *        --caps a,b (what the load generator asks for, where offered; default
 *        server-time,message-tags,labeled-response,batch): give two builds that offer
 *        different caps the same work, e.g. --caps server-time,message-tags,batch
 *
 * Comparing two builds: build the old one anywhere (e.g. from a worktree of main:
 *   bun build src/main.ts --compile --minify --bytecode --format esm \
 *     --no-compile-autoload-dotenv --no-compile-autoload-bunfig --outfile /tmp/chat-old
 * ), then pass it as --baseline. Both run the same workload on the same machine in one run; the
 * report opens with "chat against the baseline build", every ratio chat / chat-baseline.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { type BenchArgs, parseBenchArgs, type ScenarioId, UsageError } from "./lib/args.ts";
import { clusterFanout } from "./lib/cluster-scenario.ts";
import { baselineVerdict } from "./lib/compare.ts";
import {
  currentRatios,
  fanoutMachineBusy,
  guardReport,
  parseCommittedRatios,
} from "./lib/guard.ts";
import { profileChat } from "./lib/profile.ts";
import { renderReport } from "./lib/report.ts";
import { type BenchResults, emptyResults, type FanoutRound } from "./lib/results.ts";
import { manyRooms, type RoomsRun, roomsChatArgs, roomsShapes, shapeLabel } from "./lib/rooms.ts";
import {
  fanoutChatWithHistory,
  fanoutRamp,
  historyWrite,
  idleConnections,
  type ScenarioOptions,
  startupInterleaved,
} from "./lib/scenarios.ts";
import {
  chatBinaryPath,
  chatVersion,
  ensureChatBuilt,
  ensurePeersInstalled,
  inspircdConfig,
  isChatKind,
  ngircdConfig,
  REPO_ROOT,
  type RunningServer,
  type ServerKind,
  startServer,
  useBaselineBinary,
  useChatBinary,
} from "./lib/servers.ts";
import { sustainedFanout } from "./lib/sustained.ts";
import { tlsFanout } from "./lib/tls-fanout.ts";
import { webFanout } from "./lib/web-fanout.ts";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  // The usage is the header comment of this file, so the two cannot drift apart.
  const header = readFileSync(import.meta.path, "utf8").split("*/")[0] ?? "";
  process.stdout.write(`${header.replace(/^\/\*\*\n?|^ \* ?/gm, "")}\n`);
  process.exit(0);
}

function argsOrExit(): BenchArgs {
  try {
    const parsed = parseBenchArgs(process.argv.slice(2), REPO_ROOT);
    for (const path of [parsed.baseline, parsed.chatBinary]) {
      if (path !== null && !existsSync(path)) throw new UsageError(`no chat binary at ${path}`);
    }
    return parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message} (npm run bench -- --help lists the flags)`);
    process.exit(2);
  }
}

const args = argsOrExit();
const { scenarios, kinds, quick } = args;

const log = (line: string): void => {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
};
const opts: ScenarioOptions = {
  quick,
  workers: args.workers,
  perSourceAddress: args.perSourceAddress,
  log,
  ...(args.caps !== undefined ? { caps: args.caps } : {}),
};

function machine(): Record<string, string> {
  const cpuModel = cpus()[0]?.model ?? "unknown";
  let kernel = "";
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    kernel = "unknown";
  }
  const ulimit = Bun.spawnSync(["sh", "-c", "ulimit -n"]).stdout.toString().trim();
  return {
    nproc: String(cpus().length),
    cpu: cpuModel,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel,
    bun: Bun.version,
    "open files (ulimit -n)": ulimit,
  };
}

async function withServer<T>(
  kind: ServerKind,
  versions: BenchResults["versions"],
  f: (s: RunningServer) => Promise<T>,
  chatArgs: string[] = [],
): Promise<T> {
  const s = await startServer(kind, chatArgs);
  versions[kind] ??= s.version;
  log(`  ${kind} ${s.version} on ${s.host}:${s.port} (pid ${s.pid})`);
  try {
    return await f(s);
  } finally {
    await s.stop();
  }
}

async function attempt<T>(label: string, f: () => Promise<T>): Promise<T | string> {
  try {
    return await f();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    log(`  ${label} failed: ${msg}`);
    return `failed: ${msg.split("\n")[0]}`;
  }
}

/** (a) for every server, `rounds` times; the order flips each round so drift on a shared machine
 * (another process starting, the CPU warming) does not always favour the server that runs first. */
async function fanoutRounds(versions: BenchResults["versions"]): Promise<FanoutRound[]> {
  const rounds: FanoutRound[] = [];
  for (let i = 0; i < args.rounds; i++) {
    const order = i % 2 === 0 ? kinds : [...kinds].reverse();
    if (args.rounds > 1) log(` round ${i + 1} of ${args.rounds}: ${order.join(", ")}`);
    const round: FanoutRound = {};
    for (const k of order) {
      log(` ${k}`);
      round[k] = await attempt(k, () =>
        isChatKind(k)
          ? fanoutChatWithHistory(opts, k)
          : withServer(k, versions, (s) => fanoutRamp(s, "irc", opts)),
      );
    }
    rounds.push(round);
  }
  return rounds;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  if (args.chatBinary) useChatBinary(args.chatBinary);
  else if (kinds.includes("chat") || args.profileOnly) ensureChatBuilt(log, args.rebuild);
  if (args.baseline) useBaselineBinary(args.baseline);
  ensurePeersInstalled(kinds, log);
  // Paths inside the repository read best relative to it, paths elsewhere as given.
  const shown = (p: string): string => {
    const rel = relative(REPO_ROOT, p);
    return rel && !rel.startsWith("..") ? rel : p;
  };
  const results = emptyResults({
    startedAt,
    quick,
    argv: process.argv.slice(2),
    machine: {
      ...machine(),
      "chat binary": shown(chatBinaryPath()),
      ...(args.baseline ? { "chat-baseline binary": shown(args.baseline) } : {}),
    },
    configs: {
      inspircd: inspircdConfig("$TMP", 0).replaceAll('port="0"', 'port="$PORT"'),
      ngircd: ngircdConfig("$TMP", 0).replace("Ports = 0", "Ports = $PORT"),
    },
  });
  // Two builds from the same source print the same version, so the baseline also names its path.
  for (const k of kinds) {
    if (k === "chat") results.versions.chat = chatVersion("chat");
    if (k === "chat-baseline") {
      results.versions[k] = `${chatVersion(k) || "?"} (${shown(chatBinaryPath(k))})`;
    }
  }
  if (args.profileOnly) {
    results.profile = await attempt("profile", () => profileChat(opts, args.rate));
    finish(results);
    return;
  }
  const has = (s: ScenarioId): boolean => scenarios.includes(s);
  if (has("f")) {
    log(`(f) start-up to first accepted connection, interleaved: ${kinds.join(", ")}`);
    const started = await attempt("start-up", () => startupInterleaved(kinds, opts));
    for (const k of kinds) {
      results.startup[k] = typeof started === "string" ? started : (started[k] ?? "no runs");
    }
  }
  if (has("a")) {
    log("(a) fan-out ramp, one room, 10 senders");
    results.fanoutRounds = await fanoutRounds(results.versions);
    results.fanout = results.fanoutRounds[0] ?? {};
  }
  if (has("d")) {
    log("(d) plain-text fan-out ramp (our server only: the peers have no plain-text mode)");
    for (const k of kinds.filter(isChatKind)) {
      log(` ${k}`);
      results.plain[k] = await attempt(k, () =>
        withServer(k, results.versions, (s) => fanoutRamp(s, "plain", opts)),
      );
    }
  }
  if (has("b")) {
    for (const shape of roomsShapes(quick)) {
      log(`(b) ${shapeLabel(shape)}, 1 msg/s per membership`);
      const run: RoomsRun = { shape, servers: {} };
      for (const k of kinds) {
        log(` ${k}`);
        run.servers[k] = await attempt(k, () =>
          withServer(k, results.versions, (s) => manyRooms(s, opts, shape), roomsChatArgs(shape)),
        );
      }
      results.roomsRuns?.push(run);
      if (results.roomsRuns?.length === 1) results.rooms = run.servers;
    }
  }
  if (has("c")) {
    log("(c) idle registered connections");
    for (const k of kinds) {
      log(` ${k}`);
      results.idle[k] = await attempt(k, () => idleConnections(k, opts));
    }
  }
  if (has("g")) {
    const chats = kinds.filter(isChatKind);
    log(
      `(g) sustained fan-out at ${args.tailRate} msg/s (${((args.tailRate * 499) / 1e6).toFixed(2)} M deliveries/s offered) with history and checkpoints, ${args.tailRuns} run(s): ${chats.join(", ")}`,
    );
    for (let i = 0; i < args.tailRuns; i++) {
      const order = i % 2 === 0 ? chats : [...chats].reverse();
      const round: NonNullable<BenchResults["sustained"]>[number] = {};
      for (const k of order) {
        log(` ${k}${args.tailRuns > 1 ? ` (run ${i + 1} of ${args.tailRuns})` : ""}`);
        round[k] = await attempt(k, () => sustainedFanout(opts, k, args.tailRate));
      }
      results.sustained?.push(round);
    }
  }
  if (has("h")) {
    log("(h) fan-out over TLS, one room of 500 (chat and InspIRCd)");
    for (const k of kinds.filter((x) => x !== "ngircd")) {
      log(` ${k}`);
      const r = await attempt(k, () => tlsFanout(k, opts));
      results.tls ??= {};
      results.tls[k] = r;
    }
  }
  if (has("j") && kinds.includes("chat")) {
    log("(j) WebSocket fan-out beside TCP, one room of 500 (chat only)");
    results.web = await webFanout(opts);
  }
  if (has("e")) {
    log("(e) history write rate");
    results.history = await historyWrite(opts);
  }
  if (has("i")) {
    log("(i) one room, and rooms of 10, over two nodes and Redis against one node");
    results.cluster = await clusterFanout(opts);
  }
  if (has("a") && kinds.includes("chat") && args.profile && !quick) {
    log("profile: our server from source under --cpu-prof at (a)'s best rate");
    const fan = results.fanout.chat;
    const rate = typeof fan === "object" && fan.best ? fan.best.targetMsgsPerSecond : 1000;
    results.profile = await attempt("profile", () => profileChat(opts, rate));
  }
  finish(results);
}

/** --quick: this run's ratios to InspIRCd against the committed BENCHMARKS.md (bench/lib/guard.ts). */
function guard(results: BenchResults): void {
  const path = join(REPO_ROOT, "BENCHMARKS.md");
  if (!existsSync(path)) {
    log("WARNING: no BENCHMARKS.md to compare with; run npm run bench for the full matrix first");
    return;
  }
  const committed = parseCommittedRatios(readFileSync(path, "utf8"));
  const machine = { busyCores: fanoutMachineBusy(results), cores: cpus().length };
  for (const line of guardReport(committed, currentRatios(results), "BENCHMARKS.md", machine)) {
    log(line);
  }
}

function finish(results: BenchResults): void {
  results.finishedAt = new Date().toISOString();
  mkdirSync(join(REPO_ROOT, "bench/results"), { recursive: true });
  const stamp = results.startedAt.replaceAll(":", "-").slice(0, 19);
  const jsonPath = join(REPO_ROOT, `bench/results/${stamp}.json`);
  writeFileSync(jsonPath, JSON.stringify(results, null, 2));
  mkdirSync(dirname(args.outPath), { recursive: true });
  writeFileSync(args.outPath, renderReport(results));
  for (const line of baselineVerdict(results)) log(line);
  // The guard compares (a) and (c) for chat against InspIRCd: only a run that has all four.
  const guarded =
    args.scenarios.includes("a") &&
    args.scenarios.includes("c") &&
    args.kinds.includes("chat") &&
    args.kinds.includes("inspircd");
  if (results.quick && guarded) guard(results);
  log(`wrote ${args.outPath} and ${jsonPath}`);
}

await main();
