/**
 * The shape of one benchmark run's results: written by bench/run.ts, rendered by report.ts and
 * saved as bench/results/*.json. Its own module so the runner and the renderer both depend on
 * it instead of on each other.
 */
import type { ProfileSummary } from "./profile.ts";
import type {
  FanoutResult,
  HistoryResult,
  IdleResult,
  RoomsResult,
  StartupResult,
} from "./scenarios.ts";
import type { ServerKind } from "./servers.ts";

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  argv: string[];
  machine: Record<string, string>;
  versions: Partial<Record<ServerKind, string>>;
  fanout: Partial<Record<ServerKind, FanoutResult | string>>;
  plain: Partial<Record<ServerKind, FanoutResult | string>>;
  rooms: Partial<Record<ServerKind, RoomsResult | string>>;
  idle: Partial<Record<ServerKind, IdleResult | string>>;
  startup: Partial<Record<ServerKind, StartupResult | string>>;
  history: HistoryResult | null;
  profile: ProfileSummary | string | null;
  configs: Record<string, string>;
}
