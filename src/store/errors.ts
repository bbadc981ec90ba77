import { FatalError } from "../cli/usage-error.ts";

/**
 * The history database could not be opened or prepared at start (unreadable,
 * corrupt, not a database, newer schema, disk full). A FatalError, so `chat
 * serve` prints its one-line message and exits 1 instead of running without
 * history or crash-looping.
 */
export class StoreOpenError extends FatalError {
  override name = "StoreOpenError";
  constructor(
    readonly path: string,
    reason: string,
    override readonly cause?: unknown,
  ) {
    super(`cannot open history database ${path}: ${reason}`);
  }
}
