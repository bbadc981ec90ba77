/**
 * Picks and opens the history store for `chat serve`.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { StoreOpenError } from "./errors.ts";
import { MemoryModeration, type ModerationStore } from "./moderation.ts";
import { SqliteModeration } from "./sqlite/moderation.ts";
import { SqliteStore } from "./sqlite.ts";
import type { HistoryStore } from "./store.ts";

export { StoreOpenError } from "./errors.ts";

export interface OpenStoreOptions {
  /** A file path, ":memory:" to keep nothing, or undefined for the XDG default. */
  db?: string;
  /** Messages kept per conversation. */
  history: number;
  /** Where errors while running are reported (default: stderr). */
  onError?: (message: string) => void;
}

/** `$XDG_DATA_HOME/chat/chat.db`, falling back to `~/.local/share/chat/chat.db`. */
export function defaultDbPath(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  const base =
    xdg !== undefined && xdg !== "" && xdg.startsWith("/")
      ? xdg
      : join(env.HOME ?? homedir(), ".local", "share");
  return join(base, "chat", "chat.db");
}

/**
 * Open the SQLite store, creating the default folder on first start.
 * Throws StoreOpenError (a FatalError: one line, exit 1) when that fails.
 */
export function openStore(opts: OpenStoreOptions): HistoryStore {
  const path = opts.db ?? defaultDbPath();
  const fresh = path !== ":memory:" && !existsSync(path);
  if (path !== ":memory:") {
    try {
      // Private messages live here: folders we create are the user's alone.
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new StoreOpenError(path, `cannot create its folder: ${reason}`, err);
    }
  }
  if (fresh) {
    try {
      // SQLite gives its -wal and -shm files the database file's mode when it
      // creates them, which it does while opening: the (empty, hence new)
      // database must already be 0600 by then, or they keep the umask's 0644.
      writeFileSync(path, "", { mode: 0o600, flag: "wx" });
      chmodSync(path, 0o600);
    } catch {
      // Best effort: a filesystem without modes (e.g. FAT) still works, and
      // any other trouble is reported by opening the store below.
    }
  }
  const options: ConstructorParameters<typeof SqliteStore>[0] = { path, history: opts.history };
  if (opts.onError !== undefined) options.onError = opts.onError;
  return new SqliteStore(options);
}

/**
 * Server bans and lockouts in the same database as the history (open the
 * history store first: it creates the file); memory only for ":memory:".
 */
export function openModeration(
  db: string | undefined,
  onError: (message: string) => void,
): ModerationStore {
  const path = db ?? defaultDbPath();
  return path === ":memory:" ? new MemoryModeration() : new SqliteModeration(path, onError);
}
