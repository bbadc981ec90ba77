/**
 * Where the admin socket lives: in the data directory, beside the history
 * database and named after it (chat.db -> chat.sock), so two servers on two
 * databases in one folder do not meet.
 */
import { basename, dirname, extname, join } from "node:path";
import { defaultDbPath } from "../store/open.ts";

/** The admin socket of a server on `db` (a file path, or undefined for the default); none for :memory:. */
export function adminSocketPath(db: string | undefined): string | undefined {
  const path = db ?? defaultDbPath();
  if (path === ":memory:") return undefined;
  return join(dirname(path), `${basename(path, extname(path))}.sock`);
}
