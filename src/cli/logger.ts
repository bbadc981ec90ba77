/**
 * `chat serve`'s log on stderr: one event a line, `text` for people
 * (`2026-01-02T03:04:05.678Z info connect 10.0.0.5 (id 1)`) or `json` for log
 * shippers (`{"time":...,"level":"info","event":"connect","msg":...,"ip":...}`),
 * filtered by level. Every configured secret is masked in every value written,
 * a last guard behind the core never putting one in an event.
 */
import { LOG_LEVELS, type LogEvent, type LogFields, type LogLevel } from "../core/log.ts";

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
    // Secrets are masked in what the event says, never in the line as written:
    // a short password ("1", ",") would otherwise eat digits of the time or
    // the JSON syntax itself, and the line would no longer parse.
    const msg = this.redact(e.msg);
    const line =
      this.format === "json"
        ? JSON.stringify({
            ...this.redactFields(e.fields),
            time,
            level: e.level,
            event: e.event,
            msg,
          })
        : `${time} ${e.level} ${msg.replaceAll(/[\r\n]+/g, " ")}`;
    this.write(`${line}\n`);
  }

  /** Shorthand for the CLI's own events (reloads, storage trouble). */
  log(level: LogLevel, event: string, msg: string): void {
    this.event({ level, event, msg });
  }

  private redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.replaceAll(s, MASK);
    return out;
  }

  /** The fields with every string value masked; numbers and booleans are ours, not typed. */
  private redactFields(fields: LogFields | undefined): LogFields {
    const out: LogFields = {};
    for (const [k, v] of Object.entries(fields ?? {})) {
      out[k] = typeof v === "string" ? this.redact(v) : v;
    }
    return out;
  }
}
