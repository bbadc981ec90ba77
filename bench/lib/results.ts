/**
 * The shape of one benchmark run's results: written by bench/run.ts, rendered by report.ts and
 * saved as bench/results/*.json. Its own module so the runner and the renderer both depend on
 * it instead of on each other.
 */
import type { ClusterResult } from "./cluster-scenario.ts";
import type { ProfileSummary } from "./profile.ts";
import type { RoomsResult, RoomsRun } from "./rooms.ts";
import type { FanoutResult, HistoryResult, IdleResult, StartupResult } from "./scenarios.ts";
import type { ServerKind } from "./servers.ts";
import type { SustainedResult } from "./sustained.ts";
import type { WebResult } from "./web-fanout.ts";

/** One round of (a): every server's result (or why it failed). */
export type FanoutRound = Partial<Record<ServerKind, FanoutResult | string>>;

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  argv: string[];
  machine: Record<string, string>;
  versions: Partial<Record<ServerKind, string>>;
  /** The first round of (a); the detail tables show it. */
  fanout: FanoutRound;
  /** Every round of (a) (--rounds), the first one included; absent in older result files. */
  fanoutRounds?: FanoutRound[];
  plain: Partial<Record<ServerKind, FanoutResult | string>>;
  /** (b) at its first size (500 rooms of 10); kept for older readers of result files. */
  rooms: Partial<Record<ServerKind, RoomsResult | string>>;
  /** (b) at every size it ran (500 and 2,000 rooms of 10); absent in older result files. */
  roomsRuns?: RoomsRun[];
  idle: Partial<Record<ServerKind, IdleResult | string>>;
  startup: Partial<Record<ServerKind, StartupResult | string>>;
  history: HistoryResult | null;
  /** (h) fan-out over TLS; absent in older result files. */
  tls?: Partial<Record<ServerKind, FanoutResult | string>>;
  /** (g), one entry per round; absent in older result files. */
  sustained?: Array<Partial<Record<ServerKind, SustainedResult | string>>>;
  /** (i): two nodes over Redis against one node; absent in older result files. */
  cluster?: ClusterResult | null;
  /** (j): WebSocket fan-out beside TCP; absent in older result files. */
  web?: WebResult;
  profile: ProfileSummary | string | null;
  configs: Record<string, string>;
}

/** A run's results before any scenario has run: what is known at the start, the rest empty. */
export function emptyResults(
  head: Pick<BenchResults, "startedAt" | "quick" | "argv" | "machine" | "configs">,
): BenchResults {
  return {
    ...head,
    finishedAt: "",
    versions: {},
    fanout: {},
    fanoutRounds: [],
    plain: {},
    rooms: {},
    roomsRuns: [],
    idle: {},
    startup: {},
    history: null,
    sustained: [],
    tls: {},
    cluster: null,
    web: {},
    profile: null,
  };
}
