/**
 * The messages exchanged between the load-generator coordinator and its worker processes
 * (one JSON object per line: commands on the worker's stdin, reports on its stdout).
 */
import type { HistogramJson } from "./stats.ts";

/** The non-blank lines of a newline-delimited stream, as they arrive (one message per line). */
export async function* protocolLines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
      if (line.trim()) yield line;
    }
  }
}

export type ClientMode = "irc" | "plain";

export interface ClientSpec {
  /** Global client number: unique across workers, embedded in messages to ignore own echoes. */
  id: number;
  nick: string;
  /** Channel to join (IRC mode). Plain-mode clients land in the server's default room. */
  room: string;
  /**
   * Further channels this client joins and sends to (scenario b at 2,000 rooms: each client in
   * two rooms, so 20,000 memberships fit under the 20,000 open-file cap). A sender writes each
   * due message once to every one of its rooms.
   */
  alsoRooms?: string[];
  /** Source address on 127.0.0.0/8 to bind before connecting; absent = let the kernel pick. */
  src?: string;
  /** Messages per second this client sends during a phase (0 = receiver only). */
  sender: boolean;
  /** Phase offset in [0, 1) that spreads sends of different senders over the second. */
  offset: number;
  /** Connect over WebSocket (IRCv3 `binary.ircv3.net`, one line per message) instead of TCP. */
  ws?: boolean;
}

export interface WorkerInit {
  type: "init";
  workerIndex: number;
  host: string;
  port: number;
  mode: ClientMode;
  clients: ClientSpec[];
  /** IRCv3 capabilities to request when the server offers them. */
  caps: string[];
  connectConcurrency: number;
  /** Bound on the whole connect+register+join stage. */
  setupTimeoutMs: number;
  /** Bytes of filler text after the timestamp marker in each message. */
  payloadBytes: number;
  /** Connect with TLS (any certificate accepted: the servers' are self-signed). */
  tls?: boolean;
}

export interface WorkerPhase {
  type: "phase";
  step: number;
  durationMs: number;
  /** Messages per second per sending client. */
  ratePerSender: number;
  /** Stop waiting for late deliveries once nothing arrived for quietMs, or after maxDrainMs. */
  quietMs: number;
  maxDrainMs: number;
}

export interface WorkerQuit {
  type: "quit";
}

export type WorkerCommand = WorkerInit | WorkerPhase | WorkerQuit;

export interface WorkerReady {
  type: "ready";
  workerIndex: number;
  clients: number;
  ready: number;
  failed: number;
  /** A few distinct failure reasons, for the report. */
  errors: string[];
  /** Capabilities the server acknowledged to the first client. */
  ackedCaps: string[];
  setupMs: number;
}

export interface WorkerResult {
  type: "result";
  workerIndex: number;
  step: number;
  sent: number;
  /** Messages not written because the sender's own queue to the server was over its cap. */
  skipped: number;
  /** Deliveries of this step's messages to other clients. */
  received: number;
  /** Deliveries of messages from other steps (late arrivals), not counted. */
  stale: number;
  /** Copies of a client's own messages echoed back to it, not counted. */
  self: number;
  latency: HistogramJson;
  /** CPU time this worker process used during the phase, in ms. */
  cpuUserMs: number;
  cpuSystemMs: number;
  wallMs: number;
  /** Connections lost so far (cumulative). */
  disconnected: number;
  /**
   * This worker's own event-loop delay during the phase (how late a 10 ms timer fired), µs: a
   * late loop delays sends and receive timestamps alike, so a high figure means the step
   * measured the generator, not the server.
   */
  loopDelay: HistogramJson;
  /** Why they were lost (the server's ERROR line, or the socket error), with counts. */
  dropReasons: Record<string, number>;
  connected: number;
}

export interface WorkerLog {
  type: "log";
  workerIndex: number;
  message: string;
}

export type WorkerReport = WorkerReady | WorkerResult | WorkerLog;
