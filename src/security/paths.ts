/**
 * Where security state lives on disk. Pure: paths are computed from the
 * environment passed in, so tests point them at a temporary folder.
 */
import { dirname, join } from "node:path";

export type Env = Record<string, string | undefined>;

function home(env: Env): string {
  const h = env.HOME;
  if (h === undefined || h === "") {
    throw new Error("cannot find your home folder: set HOME or XDG_DATA_HOME/XDG_CONFIG_HOME");
  }
  return h;
}

/** `$XDG_DATA_HOME/chat`, or `~/.local/share/chat`. */
export function defaultDataDir(env: Env): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg !== undefined && xdg !== "") return join(xdg, "chat");
  return join(home(env), ".local", "share", "chat");
}

/** `$XDG_CONFIG_HOME/chat`, or `~/.config/chat`. */
export function defaultConfigDir(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg !== undefined && xdg !== "") return join(xdg, "chat");
  return join(home(env), ".config", "chat");
}

/**
 * The folder that holds the generated TLS certificate: beside the database, so
 * moving the database moves the server's identity with it. `:memory:` keeps no
 * database but the certificate must still survive restarts (or every guest
 * would see a "changed fingerprint"), so it uses the default data folder.
 */
export function certDir(db: string | undefined, env: Env): string {
  if (db === undefined || db === ":memory:") return defaultDataDir(env);
  return dirname(db);
}

/** `$XDG_CONFIG_HOME/chat/known_servers`, like SSH's known_hosts. */
export function knownServersPath(env: Env): string {
  return join(defaultConfigDir(env), "known_servers");
}
