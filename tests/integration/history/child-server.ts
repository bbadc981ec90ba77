/**
 * `chat serve` as a child process on 127.0.0.1 with port 0 and a given --db,
 * so tests can SIGTERM it or kill -9 it and start another on the same file.
 */
import { type ServeProcess, serveCommand, spawnServe } from "../../helpers/serve-process.ts";

export type ChildServer = ServeProcess;

export function startChildServer(db: string, extra: string[] = []): Promise<ChildServer> {
  return spawnServe(serveCommand(["--db", db, "--no-flood-limit", "--quiet", ...extra]));
}

/** Stop a child for good (used in afterEach): SIGKILL if it is still running. */
export async function killChild(child: ChildServer | undefined): Promise<void> {
  if (child === undefined) return;
  await child.stop("SIGKILL");
}
