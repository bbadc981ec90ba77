/**
 * Pipe mode, for scripts: each stdin line is a message to the room; received
 * messages go to stdout as `HH:MM <nick> text` (or one JSON object a line with
 * --json). At end of input, wait until the server has taken every line (its
 * echoes, then a PONG), QUIT and exit 0.
 */
import { FatalError } from "../cli/usage-error.ts";
import { safeJson } from "../protocol/text.ts";
import type { ClientConnection } from "./connection.ts";
import type { ClientEvent } from "./events.ts";
import { formatJson, formatPlain } from "./ui/format.ts";
import { clean } from "./ui/safe.ts";

export interface PipeIO {
  /** Input lines, ending when input ends. */
  lines: AsyncIterable<string>;
  out(line: string): void;
  err(line: string): void;
}

/**
 * Lines in flight before waiting for the server to catch up. It must stay under
 * what a flood-limited server holds back for one client (our default burst 20 plus
 * backlog 50; classic IRC servers allow less), or a long file gets the script
 * disconnected for Excess Flood instead of being paced by the server's throttle.
 */
const WINDOW = 16;
const ACK_TIMEOUT_MS = 30_000;

/** Render one event for pipe output; own echoes are not news to the script that sent them. */
export function pipeOutput(ev: ClientEvent, json: boolean): { out?: string; err?: string } {
  if (ev.type === "message" && ev.self && !ev.history) return {};
  if (json) return { out: safeJson(formatJson(ev)) };
  if (ev.type === "message") {
    // Server notices (connection statistics and the like) are not room traffic.
    if (ev.room === "") return {};
    const line = formatPlain(ev);
    return line === undefined ? {} : { out: line };
  }
  if (ev.type === "error") return { err: `chat: ${clean(ev.text)}` };
  return {};
}

/** Split a byte stream into lines (LF or CRLF), the last one even without a newline. */
export async function* readLines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl !== -1) {
      yield buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
    }
  }
  buf += decoder.decode();
  if (buf !== "") yield buf.replace(/\r$/, "");
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FatalError(what)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Poll (bounded) until the connection is back: lines held while offline go out on reconnect. */
async function connected(conn: ClientConnection, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!conn.connected) {
    if (Date.now() > deadline) throw new FatalError(`could not reconnect to ${conn.where}`);
    await Bun.sleep(100);
  }
}

/**
 * Drive a started connection in pipe mode. It reconnects and catches up like
 * the interactive mode: lines read while the link is down are held and sent
 * once it is back, and at the end every line's delivery is checked (the echo
 * count). `lost` rejects when the connection ends for good.
 */
export async function runPipe(
  conn: ClientConnection,
  room: string,
  io: PipeIO,
  lost: Promise<never>,
): Promise<number> {
  const work = (async (): Promise<number> => {
    let inFlight = 0;
    for await (const line of io.lines) {
      if (line.trim() === "") continue;
      const sent = conn.say(room, line);
      if (sent === 0 && conn.connected)
        throw new FatalError(`could not send to ${room}: not connected`);
      inFlight += sent;
      if (inFlight >= WINDOW) {
        await connected(conn, ACK_TIMEOUT_MS);
        await withTimeout(conn.barrier(), ACK_TIMEOUT_MS, `${conn.where} stopped answering`);
        inFlight = 0;
      }
    }
    await connected(conn, ACK_TIMEOUT_MS);
    await withTimeout(conn.barrier(), ACK_TIMEOUT_MS, `${conn.where} stopped answering`);
    // With echo-message every accepted line came back before the PONG; a shortfall
    // means the server refused some (its error was printed on stderr).
    if (conn.state.caps.has("echo-message") && conn.echoedCount < conn.sentCount) {
      const missing = conn.sentCount - conn.echoedCount;
      io.err(`chat: ${missing} of ${conn.sentCount} lines were not accepted by ${conn.where}`);
      await conn.quit();
      return 1;
    }
    await conn.quit();
    return 0;
  })();
  return Promise.race([work, lost]);
}
