/**
 * CPU profile of our server under the fan-out workload: runs `bun --cpu-prof src/main.ts serve`
 * (from source, so frames keep their names), drives scenario (a)'s room at one fixed rate, stops
 * the server so Bun writes the profile, and ranks functions by self and inclusive time.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { clientSpecs, LoadGen } from "./loadgen.ts";
import type { ScenarioOptions, StepResult } from "./scenarios.ts";
import { chatServeArgs, REPO_ROOT, readChatPort } from "./servers.ts";
import { summarizeDelivery, summarizeLatency } from "./stats.ts";

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  fn: string;
  where: string;
  selfPct: number;
  totalPct: number;
}

export interface ProfileSummary {
  rateMsgsPerSecond: number;
  step: Pick<StepResult, "deliveriesPerSecond" | "deliveryRatio" | "latency"> | null;
  samples: number;
  bySelf: ProfileRow[];
  byTotal: ProfileRow[];
  profilePath: string;
  command: string;
}

function frameKey(n: CpuProfileNode): [string, string] {
  const f = n.callFrame;
  const url = f.url.startsWith("file://") ? f.url.slice(7) : f.url;
  const where = url
    ? `${url.startsWith(REPO_ROOT) ? relative(REPO_ROOT, url) : url}:${f.lineNumber + 1}`
    : "";
  return [f.functionName || "(anonymous)", where];
}

/** Ranks functions by self time and by inclusive time (each function once per sample). */
export function analyzeProfile(
  profile: CpuProfile,
  top = 15,
): Omit<ProfileSummary, "rateMsgsPerSecond" | "step" | "profilePath" | "command"> {
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const label = new Map<string, [string, string]>();
  let count = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    count++;
    const [fn, where] = frameKey(node);
    const k = `${fn}\t${where}`;
    label.set(k, [fn, where]);
    self.set(k, (self.get(k) ?? 0) + 1);
    const seen = new Set<string>();
    let cur: number | undefined = id;
    while (cur !== undefined) {
      const n = byId.get(cur);
      if (!n) break;
      const [f2, w2] = frameKey(n);
      const k2 = `${f2}\t${w2}`;
      if (!seen.has(k2)) {
        seen.add(k2);
        label.set(k2, [f2, w2]);
        total.set(k2, (total.get(k2) ?? 0) + 1);
      }
      cur = parent.get(cur);
    }
  }
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k]) => {
        const [fn, where] = label.get(k) ?? ["?", ""];
        return {
          fn,
          where,
          selfPct: (100 * (self.get(k) ?? 0)) / Math.max(1, count),
          totalPct: (100 * (total.get(k) ?? 0)) / Math.max(1, count),
        };
      });
  const skipRoots = (r: ProfileRow): boolean => !["(root)", "(program)"].includes(r.fn);
  return { samples: count, bySelf: rows(self), byTotal: rows(total).filter(skipRoots) };
}

export async function profileChat(
  opts: ScenarioOptions,
  rateMsgsPerSecond: number,
): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), "bench-prof-"));
  const args = [
    "--cpu-prof",
    `--cpu-prof-dir=${dir}`,
    "src/main.ts",
    ...chatServeArgs(join(dir, "chat.db")),
  ];
  const command = `bun ${args.join(" ").replaceAll(dir, "$DIR")}`;
  const proc = Bun.spawn([process.execPath, ...args], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "inherit",
  });
  try {
    const { port, out } = await readChatPort(proc.stdout, 15_000);
    if (!port) throw new Error(`profiled server did not print its address: ${out.slice(0, 200)}`);
    const clients = opts.quick ? 100 : 500;
    const lg = await LoadGen.start({
      host: "127.0.0.1",
      port,
      mode: "irc",
      clients: clientSpecs({
        count: clients,
        rooms: 1,
        sendersPerRoom: 10,
        nickPrefix: "q",
        srcPerAddress: opts.perSourceAddress || undefined,
      }),
      workers: opts.workers,
      log: opts.log,
      ...(opts.caps !== undefined ? { caps: opts.caps } : {}),
    });
    let step: ProfileSummary["step"] = null;
    try {
      const durationMs = opts.quick ? 3000 : 10_000;
      const ph = await lg.phase({ step: 1, durationMs, ratePerSender: rateMsgsPerSecond / 10 });
      const d = summarizeDelivery({
        sent: ph.sent,
        recipientsPerMessage: clients - 1,
        received: ph.received,
        windowSeconds: durationMs / 1000,
      });
      step = {
        deliveriesPerSecond: d.deliveriesPerSecond,
        deliveryRatio: d.ratio,
        latency: summarizeLatency(ph.latency),
      };
    } finally {
      await lg.stop();
    }
    // A clean stop makes Bun write the profile.
    proc.kill("SIGINT");
    const exited = await Promise.race([
      proc.exited.then(() => true),
      Bun.sleep(10_000).then(() => false),
    ]);
    if (!exited) {
      proc.kill("SIGKILL");
      throw new Error(
        "profiled server did not exit on SIGINT within 10 s, so no profile was written",
      );
    }
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file)
      throw new Error("no .cpuprofile written (did the server exit through process.exit?)");
    const keep = join(REPO_ROOT, "bench/results", `chat-fanout-${Date.now()}.cpuprofile`);
    const text = readFileSync(join(dir, file), "utf8");
    await Bun.write(keep, text);
    const a = analyzeProfile(JSON.parse(text) as CpuProfile);
    opts.log(
      `  profile: ${a.samples} samples, top self: ${a.bySelf
        .slice(0, 5)
        .map((r) => `${r.fn} ${r.selfPct.toFixed(1)}%`)
        .join(", ")}`,
    );
    return { rateMsgsPerSecond, step, ...a, profilePath: relative(REPO_ROOT, keep), command };
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
