/**
 * `npm run bench`: the benchmark matrix of issue 7, our server side by side with InspIRCd and
 * ngIRCd in one run, written to BENCHMARKS.md.
 *
 *   npm run bench                          full matrix (~15 min), writes BENCHMARKS.md
 *   npm run bench -- --quick               small N, short steps (~3 min), writes bench/results/quick.md
 *   npm run bench -- --scenario a --servers chat,inspircd
 *   npm run bench -- --profile-only        CPU profile of our server under (a)
 *
 * Flags: --scenario a,b,c,d,e,f  --servers chat,inspircd,ngircd  --quick  --workers N
 *        --per-ip N (clients per 127.0.0.0/8 source address, 0 = one address)  --rebuild
 *        --no-profile  --out FILE  --rate MSGS_PER_S (for --profile-only)
 *        --chat-binary PATH (benchmark another build instead of dist/chat)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { profileChat } from "./lib/profile.ts";
import { renderReport } from "./lib/report.ts";
import type { BenchResults } from "./lib/results.ts";
import {
  fanoutChatWithHistory,
  fanoutRamp,
  historyWrite,
  idleConnections,
  manyRooms,
  type ScenarioOptions,
  startup,
} from "./lib/scenarios.ts";
import {
  chatBinaryPath,
  ensureChatBuilt,
  ensurePeersInstalled,
  inspircdConfig,
  ngircdConfig,
  REPO_ROOT,
  type RunningServer,
  SERVER_KINDS,
  type ServerKind,
  startServer,
  useChatBinary,
} from "./lib/servers.ts";

const SCENARIOS = ["a", "b", "c", "d", "e", "f"] as const;
type ScenarioId = (typeof SCENARIOS)[number];

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  // The usage is the header comment of this file, so the two cannot drift apart.
  const header = readFileSync(import.meta.path, "utf8").split("*/")[0] ?? "";
  process.stdout.write(`${header.replace(/^\/\*\*\n?|^ \* ?/gm, "")}\n`);
  process.exit(0);
}

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: SCENARIOS.join(",") },
    servers: { type: "string", default: SERVER_KINDS.join(",") },
    quick: { type: "boolean", default: false },
    workers: { type: "string", default: "2" },
    "per-ip": { type: "string", default: "10" },
    rebuild: { type: "boolean", default: false },
    "no-profile": { type: "boolean", default: false },
    "profile-only": { type: "boolean", default: false },
    out: { type: "string" },
    rate: { type: "string", default: "3000" },
    "chat-binary": { type: "string" },
  },
  args: process.argv.slice(2),
});

function listOf<T extends string>(raw: string, allowed: readonly T[], what: string): T[] {
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items) {
    if (!allowed.includes(i as T)) {
      console.error(`unknown ${what} "${i}": choose from ${allowed.join(", ")}`);
      process.exit(2);
    }
  }
  return items as T[];
}

const scenarios = listOf(values.scenario ?? "", SCENARIOS, "scenario");
const kinds = listOf(values.servers ?? "", SERVER_KINDS, "server");
const quick = values.quick ?? false;
const fullRun =
  !quick && scenarios.length === SCENARIOS.length && kinds.length === SERVER_KINDS.length;
const outPath =
  values.out ??
  (fullRun ? join(REPO_ROOT, "BENCHMARKS.md") : join(REPO_ROOT, "bench/results/latest.md"));

const log = (line: string): void => {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
};
const opts: ScenarioOptions = {
  quick,
  workers: Number(values.workers),
  perSourceAddress: Number(values["per-ip"]),
  log,
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
): Promise<T> {
  const s = await startServer(kind);
  versions[kind] = s.version;
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

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const customBinary = values["chat-binary"];
  if (customBinary) useChatBinary(customBinary);
  else if (kinds.includes("chat") || values["profile-only"]) {
    ensureChatBuilt(log, values.rebuild ?? false);
  }
  ensurePeersInstalled(kinds, log);
  const results: BenchResults = {
    startedAt,
    finishedAt: "",
    quick,
    argv: process.argv.slice(2),
    machine: {
      ...machine(),
      "chat binary": relative(REPO_ROOT, chatBinaryPath()) || chatBinaryPath(),
    },
    versions: {},
    fanout: {},
    plain: {},
    rooms: {},
    idle: {},
    startup: {},
    history: null,
    profile: null,
    configs: {
      inspircd: inspircdConfig("$TMP", 0).replaceAll('port="0"', 'port="$PORT"'),
      ngircd: ngircdConfig("$TMP", 0).replace("Ports = 0", "Ports = $PORT"),
    },
  };
  if (values["profile-only"]) {
    results.profile = await attempt("profile", () => profileChat(opts, Number(values.rate)));
    finish(results);
    return;
  }
  const has = (s: ScenarioId): boolean => scenarios.includes(s);
  if (has("f")) {
    log("(f) start-up to first accepted connection");
    for (const k of kinds) {
      log(` ${k}`);
      results.startup[k] = await attempt(k, () => startup(k, opts));
    }
  }
  if (has("a")) {
    log("(a) fan-out ramp, one room, 10 senders");
    for (const k of kinds) {
      log(` ${k}`);
      results.fanout[k] = await attempt(k, () =>
        k === "chat"
          ? fanoutChatWithHistory(opts)
          : withServer(k, results.versions, (s) => fanoutRamp(s, "irc", opts)),
      );
    }
  }
  if (has("d")) {
    log("(d) plain-text fan-out ramp (our server only: the peers have no plain-text mode)");
    if (kinds.includes("chat")) {
      results.plain.chat = await attempt("chat", () =>
        withServer("chat", results.versions, (s) => fanoutRamp(s, "plain", opts)),
      );
    }
  }
  if (has("b")) {
    log("(b) many rooms of 10, every client 1 msg/s");
    for (const k of kinds) {
      log(` ${k}`);
      results.rooms[k] = await attempt(k, () =>
        withServer(k, results.versions, (s) => manyRooms(s, opts)),
      );
    }
  }
  if (has("c")) {
    log("(c) idle registered connections");
    for (const k of kinds) {
      log(` ${k}`);
      results.idle[k] = await attempt(k, () => idleConnections(k, opts));
    }
  }
  if (has("e")) {
    log("(e) history write rate");
    results.history = await historyWrite(opts);
  }
  if (has("a") && kinds.includes("chat") && !values["no-profile"] && !quick) {
    log("profile: our server from source under --cpu-prof at (a)'s best rate");
    const fan = results.fanout.chat;
    const rate = typeof fan === "object" && fan.best ? fan.best.targetMsgsPerSecond : 1000;
    results.profile = await attempt("profile", () => profileChat(opts, rate));
  }
  finish(results);
}

function finish(results: BenchResults): void {
  results.finishedAt = new Date().toISOString();
  mkdirSync(join(REPO_ROOT, "bench/results"), { recursive: true });
  const stamp = results.startedAt.replaceAll(":", "-").slice(0, 19);
  const jsonPath = join(REPO_ROOT, `bench/results/${stamp}.json`);
  writeFileSync(jsonPath, JSON.stringify(results, null, 2));
  writeFileSync(outPath, renderReport(results));
  log(`wrote ${outPath} and ${jsonPath}`);
}

await main();
