/**
 * Picks and opens the history store for `chat serve`.
 */
import { MemoryStore } from "./memory.ts";
import type { HistoryStore } from "./store.ts";

export interface OpenStoreOptions {
  /** A file path, ":memory:" to keep nothing, or undefined for the XDG default. */
  db?: string;
  /** Messages kept per conversation. */
  history: number;
}

export function openStore(opts: OpenStoreOptions): HistoryStore {
  return new MemoryStore({ history: opts.history });
}
