import { FatalError } from "../cli/usage-error.ts";
import type { ServeConfig } from "../commands/serve.ts";

/** Start the server and resolve once it has shut down cleanly. */
export async function runServe(_config: ServeConfig): Promise<void> {
  throw new FatalError("serve is not built yet");
}
