/**
 * (i): fan-out over two nodes and Redis against one node, in the same run. It
 * runs bench/cluster.ts in its own process (it starts a redis-server and both
 * nodes in-process) and keeps its JSON line.
 */
import { join } from "node:path";
import type { ScenarioOptions } from "./scenarios.ts";
import { REPO_ROOT } from "./servers.ts";

export interface ClusterRow {
  setup: string;
  rooms: number;
  deliveries: number;
  expected: number;
  perSecond: number;
  p99Ms: number;
  roundTripsPerMessage: number;
}

export interface ClusterResult {
  kind: "cluster";
  command: string;
  clients: number;
  rows: ClusterRow[];
  /** The script's output tail when it gave no JSON line (e.g. no redis-server). */
  error?: string;
}

export async function clusterFanout(opts: ScenarioOptions): Promise<ClusterResult> {
  const args = opts.quick ? ["100", "50"] : ["500", "200"];
  const command = `bun bench/cluster.ts ${args.join(" ")} --json`;
  const proc = Bun.spawn(
    [process.execPath, join(REPO_ROOT, "bench/cluster.ts"), ...args, "--json"],
    {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const killer = setTimeout(() => proc.kill("SIGKILL"), 600_000);
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  await proc.exited;
  clearTimeout(killer);
  const clients = Number(args[0]);
  try {
    const parsed = JSON.parse(out.trim().split("\n").pop() ?? "") as { rows: ClusterRow[] };
    for (const r of parsed.rows) {
      opts.log(`  ${r.setup}, ${r.rooms} room(s): ${r.perSecond}/s, p99 ${r.p99Ms} ms`);
    }
    return { kind: "cluster", command, clients, rows: parsed.rows };
  } catch {
    const error = (out + err).slice(-1000);
    opts.log(`  no JSON result: ${error.slice(-300)}`);
    return { kind: "cluster", command, clients, rows: [], error };
  }
}

/** The Markdown section of the report: the rows, and two nodes / one node per set-up. */
export function clusterSection(r: ClusterResult | null | undefined): string[] {
  const out = ["## (i) two nodes over Redis against one node (bench/cluster.ts)", ""];
  if (r === null || r === undefined) return [...out, "not run", ""];
  out.push(`\`${r.command}\``, "");
  if (r.rows.length === 0) return [...out, `no result: ${r.error ?? "?"}`, ""];
  out.push(
    "| set-up | rooms | deliveries | deliveries/s | p99 ms | Redis round trips/message | two nodes / one node |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const row of r.rows) {
    const one = r.rows.find((o) => o.rooms === row.rooms && o.roundTripsPerMessage === 0);
    const ratio =
      one !== undefined && one !== row ? (row.perSecond / one.perSecond).toFixed(2) : "";
    out.push(
      `| ${row.setup} | ${row.rooms} | ${row.deliveries}/${row.expected} | ${row.perSecond} | ${row.p99Ms} | ${row.roundTripsPerMessage} | ${ratio} |`,
    );
  }
  out.push("");
  return out;
}
