/** A mistake in how `chat` was invoked: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An expected failure at run time (unreachable host, bad password): one line, exit status 1. */
export class FatalError extends Error {
  override name = "FatalError";
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}
