import { FatalError } from "../cli/usage-error.ts";
import type { JoinConfig } from "../commands/join.ts";

/** Run the client; resolves to the process exit status. */
export async function runJoin(_config: JoinConfig): Promise<number> {
  throw new FatalError("join is not built yet");
}
