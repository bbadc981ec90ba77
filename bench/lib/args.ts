/**
 * The command line of `npm run bench`, parsed into plain settings. Kept apart from bench/run.ts so
 * the parsing can be tested without starting a benchmark; bad input is a UsageError, which the
 * runner prints and exits 2 on.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SERVER_KINDS, type ServerKind } from "./servers.ts";

export const SCENARIOS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] as const;
export type ScenarioId = (typeof SCENARIOS)[number];
/** What `--quick` runs when no --scenario / --servers is given: the guard's measures. */
export const QUICK_SCENARIOS: readonly ScenarioId[] = ["a", "c"];
export const QUICK_SERVERS: readonly ServerKind[] = ["chat", "inspircd"];

/**
 * (g) at issue 18's target: one room of 500 offered 3.2 M deliveries/s, i.e. 10 senders at
 * 6,413 msg/s in all (x 499 recipients), five runs of a minute. --quick keeps one short run at
 * 3,000 msg/s (1.5 M deliveries/s); --rate and --rounds override either.
 */
export const TAIL_DELIVERIES_PER_SECOND = 3_200_000;
export const TAIL_RATE = Math.ceil(TAIL_DELIVERIES_PER_SECOND / 499);
export const TAIL_RUNS = 5;
export const QUICK_TAIL_RATE = 3000;
/** --profile-only's rate when --rate is not given. */
export const PROFILE_RATE = 3000;

export class UsageError extends Error {}

export interface BenchArgs {
  scenarios: ScenarioId[];
  /** In run order; chat-baseline comes right before chat, so the two run back to back. */
  kinds: ServerKind[];
  quick: boolean;
  workers: number;
  perSourceAddress: number;
  rebuild: boolean;
  profile: boolean;
  profileOnly: boolean;
  /** Where the Markdown report goes (BENCHMARKS.md only for the full matrix). */
  outPath: string;
  /** --profile-only's messages per second. */
  rate: number;
  /** (g)'s messages per second (into the room of 500) and how many runs of it. */
  tailRate: number;
  tailRuns: number;
  chatBinary: string | null;
  /** An older chat build to run as "chat-baseline" beside the current one. */
  baseline: string | null;
  /** How many times (a) runs, the server order alternating each round. */
  rounds: number;
  /**
   * The capabilities the load generator asks for (where offered); undefined = its default.
   * Two builds that offer different caps do different work for the same load: asking both
   * the same (e.g. without labeled-response) compares like with like.
   */
  caps: string[] | undefined;
}

function listOf<T extends string>(raw: string, allowed: readonly T[], what: string): T[] {
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items) {
    if (!allowed.includes(i as T)) {
      throw new UsageError(`unknown ${what} "${i}": choose from ${allowed.join(", ")}`);
    }
  }
  return items as T[];
}

function count(raw: string, what: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${what} must be an integer >= ${min}`);
  return n;
}

/** The servers in run order: chat-baseline, when asked for, right before chat. */
function orderKinds(listed: ServerKind[], baseline: boolean): ServerKind[] {
  const kinds: ServerKind[] = listed.filter((k) => k !== "chat-baseline");
  if (!baseline) return kinds;
  const at = kinds.indexOf("chat");
  // Without chat in the list the baseline runs first, on its own.
  kinds.splice(Math.max(at, 0), 0, "chat-baseline");
  return kinds;
}

export function parseBenchArgs(argv: string[], repoRoot: string): BenchArgs {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const allowed: readonly ServerKind[] = [...SERVER_KINDS, "chat-baseline"];
  const quick = values.quick;
  // --quick alone is the guard: fan-out and idle memory, chat against InspIRCd (see guard.ts).
  const scenarios = listOf(
    values.scenario ?? (quick ? QUICK_SCENARIOS.join(",") : SCENARIOS.join(",")),
    SCENARIOS,
    "scenario",
  );
  const listed = listOf(
    values.servers ?? (quick ? QUICK_SERVERS.join(",") : SERVER_KINDS.join(",")),
    allowed,
    "server",
  );
  const baseline = values.baseline ?? null;
  if (baseline === "") throw new UsageError("--baseline needs the path of a chat binary");
  if (listed.includes("chat-baseline") && baseline === null) {
    throw new UsageError("server chat-baseline needs --baseline PATH (the older chat binary)");
  }
  const kinds = orderKinds(listed, baseline !== null);
  const fullRun =
    !quick &&
    baseline === null &&
    scenarios.length === SCENARIOS.length &&
    SERVER_KINDS.every((k) => kinds.includes(k));
  return {
    scenarios,
    kinds,
    quick,
    workers: count(values.workers, "--workers", 1),
    perSourceAddress: count(values["per-ip"], "--per-ip", 0),
    rebuild: values.rebuild,
    profile: !values["no-profile"],
    profileOnly: values["profile-only"],
    outPath:
      values.out ??
      join(
        repoRoot,
        fullRun ? "BENCHMARKS.md" : quick ? "bench/results/quick.md" : "bench/results/latest.md",
      ),
    rate: values.rate === undefined ? PROFILE_RATE : count(values.rate, "--rate", 1),
    tailRate:
      values.rate === undefined
        ? quick
          ? QUICK_TAIL_RATE
          : TAIL_RATE
        : count(values.rate, "--rate", 1),
    tailRuns:
      values.rounds === undefined ? (quick ? 1 : TAIL_RUNS) : count(values.rounds, "--rounds", 1),
    chatBinary: values["chat-binary"] ?? null,
    baseline,
    rounds: values.rounds === undefined ? 1 : count(values.rounds, "--rounds", 1),
    caps: capList(values.caps),
  };
}

/** `--caps a,b`: capability names as a client sends them in CAP REQ. */
function capList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const caps = raw
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const bad = caps.find((c) => !/^[a-z0-9./-]+$/i.test(c));
  if (bad !== undefined) throw new UsageError(`--caps: "${bad}" is not a capability name`);
  return caps;
}

function parse(argv: string[]) {
  return parseArgs({
    options: {
      scenario: { type: "string" },
      servers: { type: "string" },
      quick: { type: "boolean", default: false },
      workers: { type: "string", default: "2" },
      "per-ip": { type: "string", default: "10" },
      rebuild: { type: "boolean", default: false },
      "no-profile": { type: "boolean", default: false },
      "profile-only": { type: "boolean", default: false },
      out: { type: "string" },
      rate: { type: "string" },
      "chat-binary": { type: "string" },
      baseline: { type: "string" },
      rounds: { type: "string" },
      caps: { type: "string" },
    },
    args: argv,
    strict: true,
    allowPositionals: false,
  });
}
