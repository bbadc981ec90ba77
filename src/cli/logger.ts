/**
 * `chat serve`'s log on stderr: one event a line, `text` for people
 * (`2026-01-02T03:04:05.678Z info connect 10.0.0.5 (id 1)`) or `json` for log
 * shippers (`{"time":...,"level":"info","event":"connect","msg":...,"ip":...}`),
 * filtered by level. Every configured secret is masked in every line written,
 * a last guard behind the core never putting one in an event.
 */
import { LOG_LEVELS, type LogEvent, type LogLevel } from "../core/log.ts";

export type LogFormat = "text" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

const MASK = "********";

export class Logger {
  private secrets: string[] = [];

  constructor(
    private readonly write: (line: string) => void,
    private readonly format: LogFormat,
    private level: LogLevel,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  /** The passwords in effect (server, operators): never written, even by mistake. */
  setSecrets(secrets: readonly string[]): void {
    // Longest first, so a secret containing another is masked whole.
    this.secrets = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.level);
  }

  event(e: LogEvent): void {
    if (!this.enabled(e.level)) return;
    const time = this.clock().toISOString();
    const line =
      this.format === "json"
        ? JSON.stringify({ ...e.fields, time, level: e.level, event: e.event, msg: e.msg })
        : `${time} ${e.level} ${e.msg.replaceAll(/[\r\n]+/g, " ")}`;
    this.write(`${this.redact(line)}\n`);
  }

  /** Shorthand for the CLI's own events (reloads, storage trouble). */
  log(level: LogLevel, event: string, msg: string): void {
    this.event({ level, event, msg });
  }

  private redact(line: string): string {
    let out = line;
    for (const s of this.secrets) {
      out = out.replaceAll(s, MASK);
      // In JSON the secret may appear escaped.
      const escaped = JSON.stringify(s).slice(1, -1);
      if (escaped !== s) out = out.replaceAll(escaped, MASK);
    }
    return out;
  }
}
