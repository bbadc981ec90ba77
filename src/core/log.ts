/**
 * Log events: what happened on the server, one event a line, as text or JSON
 * (src/cli/logger.ts writes them). The core only describes events; it never
 * formats or writes them. Fields are facts a host acts on (address, nick,
 * reason), never a password or a line a user typed.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface LogEvent {
  level: LogLevel;
  /** A stable name to filter on: connect, disconnect, refused, oper, kill, kline, ... */
  event: string;
  /** The line a person reads. */
  msg: string;
  fields?: LogFields;
}

export type EventLog = (e: LogEvent) => void;
