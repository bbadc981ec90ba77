/**
 * How the SQLite store reports trouble while running: one line per problem,
 * and at most one a second, so a full disk cannot flood the log.
 */
import { SQLiteError } from "bun:sqlite";

/** An error as one line a host can act on, with SQLite's code when there is one. */
export function describe(err: unknown): string {
  if (err instanceof SQLiteError) return `${err.message} (${err.code ?? `errno ${err.errno}`})`;
  return err instanceof Error ? err.message : String(err);
}

/** SQLite's multi-line reports as one log line. */
export function oneLine(lines: readonly string[]): string {
  return lines
    .flatMap((l) => l.split("\n"))
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("***"))
    .join("; ");
}

export class ErrorLog {
  private last = 0;
  private suppressed = 0;

  constructor(private readonly sink: (message: string) => void) {}

  /** Report a problem, unless one was reported less than a second ago (then it is counted). */
  report(message: string): void {
    const now = Date.now();
    if (now - this.last < 1000) {
      this.suppressed++;
      return;
    }
    const extra = this.suppressed > 0 ? ` (${this.suppressed} similar errors hidden)` : "";
    this.suppressed = 0;
    this.last = now;
    this.sink(message + extra);
  }

  /** Report a problem the host must see, never held back. */
  urgent(message: string): void {
    this.sink(message);
  }
}
