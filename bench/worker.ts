/**
 * Load-generator worker process: owns a slice of the simulated clients, driven by the
 * coordinator (bench/lib/loadgen.ts) over stdin/stdout JSON lines. Spawned, never run by hand.
 *
 * Hot path design: once a client has joined, incoming bytes are not parsed as IRC. The worker
 * only searches each chunk for the "%%" marker its senders put in every message
 * (`%%<step>S<sender>T<send-µs>`) and for PING, so one worker can count millions of
 * deliveries per second; the receive time is read once per chunk.
 */
import net from "node:net";
import tls from "node:tls";
import type { Socket } from "bun";
import { formatMarker, MarkerScanner, type MarkerSink } from "./lib/marker.ts";
import {
  type ClientSpec,
  protocolLines,
  type WorkerCommand,
  type WorkerInit,
  type WorkerPhase,
  type WorkerReport,
  type WorkerResult,
} from "./lib/protocol.ts";
import { LatencyHistogram } from "./lib/stats.ts";
import { clientFrame, FrameReader, pongFrame, upgradeRequest } from "./lib/ws-frames.ts";

/** A sender stops queueing once this many bytes wait for the server to read them. */
const MAX_PENDING_BYTES = 1 << 20;
const MAX_SENDS_PER_TICK = 2000;

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

function emit(report: WorkerReport): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

interface Transport {
  write(data: string): void;
  end(): void;
}

type Stage = "connecting" | "registering" | "joining" | "ready" | "failed" | "closed";

interface Client {
  spec: ClientSpec;
  stage: Stage;
  transport: Transport | null;
  scanner: MarkerScanner | null;
  /** Receive time of the chunk being scanned, µs. */
  now: number;
  /** Slow-path (pre-ready) line buffer. */
  text: string;
  lsCaps: string[];
  /** The server acked labeled-response: this client labels what it sends, as a modern client does. */
  labeled: boolean;
  nick: string;
  /** End-of-NAMES (366) replies still awaited: one per room joined. */
  joinsLeft: number;
  sentThisPhase: number;
  error: string;
  onReady: (() => void) | null;
}

// ---- state shared by all clients of this worker ----
let init: WorkerInit | null = null;
let currentStep = -1;
let received = 0;
let stale = 0;
let self = 0;
let disconnected = 0;
const dropReasons: Record<string, number> = {};
let connected = 0;
const latency = new LatencyHistogram();
const loopDelay = new LatencyHistogram();
const LOOP_PROBE_MS = 10;
let ackedCaps: string[] = [];

function onFastData(client: Client, chunk: Buffer): void {
  client.now = nowUs();
  client.scanner?.feed(chunk);
}

function sinkFor(client: Client): MarkerSink {
  const own = client.spec.id;
  return {
    marker(step: number, sender: number, sentUs: number): void {
      if (sender === own) self++;
      else if (step === currentStep) {
        received++;
        latency.record(client.now - sentUs);
      } else stale++;
    },
    ping(arg: string): void {
      client.transport?.write(`PONG ${arg}\r\n`);
    },
    error(line: string): void {
      client.error = line.slice(0, 120);
    },
  };
}

// ---- registration (slow path) ----

function fail(client: Client, reason: string): void {
  if (client.stage === "ready" || client.stage === "failed") return;
  client.stage = "failed";
  client.error = reason;
  client.transport?.end();
  client.onReady?.();
}

function becomeReady(client: Client): void {
  if (client.stage === "ready") return;
  client.stage = "ready";
  client.text = "";
  client.onReady?.();
}

function handleLine(client: Client, line: string): void {
  const cfg = init;
  if (!cfg) return;
  let rest = line;
  if (rest.startsWith("@")) rest = rest.slice(rest.indexOf(" ") + 1);
  if (rest.startsWith(":")) rest = rest.slice(rest.indexOf(" ") + 1);
  const sp = rest.indexOf(" ");
  const cmd = (sp === -1 ? rest : rest.slice(0, sp)).toUpperCase();
  const params = sp === -1 ? "" : rest.slice(sp + 1);
  const w = client.transport;
  if (!w) return;
  switch (cmd) {
    case "PING":
      w.write(`PONG ${params}\r\n`);
      return;
    case "CAP": {
      // CAP <nick> LS [*] :caps
      const parts = params.split(" ");
      const sub = (parts[1] ?? "").toUpperCase();
      const trailing = params.includes(" :") ? params.slice(params.indexOf(" :") + 2) : "";
      if (sub === "LS") {
        for (const c of trailing.split(" ")) if (c) client.lsCaps.push(c.split("=")[0] ?? c);
        if (parts[2] === "*") return; // more LS lines follow
        const want = cfg.caps.filter((c) => client.lsCaps.includes(c));
        if (want.length > 0) w.write(`CAP REQ :${want.join(" ")}\r\n`);
        else w.write("CAP END\r\n");
      } else if (sub === "ACK") {
        const acked = trailing.split(" ").filter(Boolean);
        if (client.spec.id === cfg.clients[0]?.id) ackedCaps = acked;
        client.labeled = acked.includes("labeled-response");
        w.write("CAP END\r\n");
      } else if (sub === "NAK") {
        w.write("CAP END\r\n");
      }
      return;
    }
    case "001":
      // An idle client (no room) is done once registered.
      if (!client.spec.room) {
        becomeReady(client);
        return;
      }
      client.stage = "joining";
      client.joinsLeft = roomsOf(client.spec).length;
      w.write(`JOIN ${roomsOf(client.spec).join(",")}\r\n`);
      return;
    case "366":
      if (client.stage === "joining" && --client.joinsLeft <= 0) becomeReady(client);
      return;
    case "433":
    case "432":
      if (client.stage === "registering" || client.stage === "connecting") {
        client.nick = `${client.nick.slice(0, 20)}_`;
        w.write(`NICK ${client.nick}\r\n`);
      }
      return;
    case "ERROR":
      fail(client, line.slice(0, 200));
      return;
    default:
      // Join refusals (471 full, 473 invite-only, 405 too many channels, ...) and registration
      // refusals (465, 463) are fatal for a benchmark client.
      if (/^4(03|05|71|73|74|75|65|63|64)$/.test(cmd)) fail(client, line.slice(0, 200));
  }
}

function roomsOf(spec: ClientSpec): string[] {
  return spec.alsoRooms?.length ? [spec.room, ...spec.alsoRooms] : [spec.room];
}

function onSlowData(client: Client, chunk: Buffer): void {
  const cfg = init;
  if (!cfg) return;
  if (cfg.mode === "plain") {
    // A human-mode server answers the nickname line with readable text that mentions the
    // nick (a welcome or a join notice); once it does, the client is in the room.
    client.text += chunk.toString("utf8");
    if (client.text.toLowerCase().includes(client.nick.toLowerCase())) becomeReady(client);
    else if (client.text.length > 65536) client.text = client.text.slice(-4096);
    return;
  }
  client.text += chunk.toString("utf8");
  let nl = client.text.indexOf("\n");
  while (nl !== -1 && client.stage !== "ready" && client.stage !== "failed") {
    const line = client.text.slice(0, nl).replace(/\r$/, "");
    client.text = client.text.slice(nl + 1);
    if (line) handleLine(client, line);
    nl = client.text.indexOf("\n");
  }
  // Lines after the 366 in the same chunk may hold nothing of ours yet; drop them.
  if (client.stage === "ready") client.text = "";
}

function onData(client: Client, chunk: Buffer): void {
  if (client.stage === "ready") onFastData(client, chunk);
  else if (client.stage !== "failed" && client.stage !== "closed") onSlowData(client, chunk);
}

function onOpen(client: Client): void {
  const cfg = init;
  if (!cfg || !client.transport) return;
  connected++;
  client.stage = "registering";
  if (cfg.mode === "plain") {
    client.transport.write(`${client.nick}\n`);
    return;
  }
  client.transport.write(
    `CAP LS 302\r\nNICK ${client.nick}\r\nUSER ${client.nick} 0 * :bench client\r\n`,
  );
}

function onClose(client: Client, why: string): void {
  if (client.stage === "closed") return;
  const wasUp = client.stage !== "connecting" && client.stage !== "failed";
  if (client.stage === "ready") {
    disconnected++;
    const reason = client.error || why;
    dropReasons[reason] = (dropReasons[reason] ?? 0) + 1;
  } else fail(client, why);
  if (wasUp) connected--;
  client.stage = "closed";
  client.transport = null;
}

// ---- transports ----

interface BunSocketData {
  client: Client;
  pending: Buffer[];
  pendingBytes: number;
}

function bunTransport(socket: Socket<BunSocketData>): {
  write(data: string | Uint8Array): void;
  end(): void;
  pendingBytes(): number;
} {
  const st = socket.data;
  return {
    write(data: string | Uint8Array): void {
      if (st.pendingBytes > 0) {
        const b = Buffer.from(data);
        st.pending.push(b);
        st.pendingBytes += b.length;
        return;
      }
      const n = socket.write(data);
      if (n < 0) return;
      const len = typeof data === "string" ? Buffer.byteLength(data) : data.length;
      if (n < len) {
        const b = Buffer.from(data).subarray(n);
        st.pending.push(b);
        st.pendingBytes += b.length;
      }
    },
    end(): void {
      socket.end();
    },
    pendingBytes: () => st.pendingBytes,
  };
}

function flushPending(socket: Socket<BunSocketData>): void {
  const st = socket.data;
  if (st.pendingBytes === 0) return;
  const all = st.pending.length === 1 ? (st.pending[0] as Buffer) : Buffer.concat(st.pending);
  const n = socket.write(all);
  if (n < 0) return;
  st.pending = n < all.length ? [all.subarray(n)] : [];
  st.pendingBytes = all.length - Math.max(0, n);
}

const pendingOf = new Map<Client, () => number>();

/**
 * A WebSocket client of the web front: one IRC line per binary message, framed
 * by bench/lib/ws-frames.ts on a plain Bun socket (why not Bun's WebSocket:
 * see that file). Once ready, each payload is scanned in place, the receive
 * time read once per chunk; before that, lines go to the same parser as TCP's.
 */
function connectWs(client: Client, host: string, port: number): void {
  const crlf = Buffer.from("\r\n");
  let socket: Socket<BunSocketData> | null = null;
  const reader = new FrameReader({
    open: () => {
      if (!socket) return;
      const raw = bunTransport(socket);
      client.transport = {
        write(data: string): void {
          for (const line of data.split("\r\n")) {
            if (line !== "") raw.write(clientFrame(Buffer.from(line)));
          }
        },
        end: () => raw.end(),
      };
      pendingOf.set(client, raw.pendingBytes);
      onOpen(client);
    },
    messages(buf, starts, ends, count) {
      let i = 0;
      // Registration and joining take one line at a time, until the 366 makes the client ready.
      for (; i < count && client.stage !== "ready"; i++) {
        if (client.stage === "failed" || client.stage === "closed") return;
        onSlowData(client, Buffer.concat([buf.subarray(starts[i], ends[i]), crlf]));
      }
      client.scanner?.frames(buf, starts, ends, i, count);
    },
    ping(payload) {
      socket?.write(pongFrame(payload));
    },
    fail(why) {
      fail(client, why);
      socket?.end();
    },
  });
  Bun.connect<BunSocketData>({
    hostname: host,
    port,
    data: { client, pending: [], pendingBytes: 0 },
    socket: {
      open(s) {
        socket = s;
        s.setNoDelay(true);
        s.write(upgradeRequest(host, port, "binary.ircv3.net"));
      },
      data(_s, data) {
        client.now = nowUs();
        reader.feed(data);
      },
      drain(s) {
        flushPending(s);
      },
      close() {
        onClose(client, "connection closed");
      },
      error(_s, err) {
        onClose(client, err.message);
      },
      connectError(_s, err) {
        onClose(client, `connect failed: ${err.message}`);
      },
    },
  }).catch((err: unknown) => {
    onClose(client, `connect failed: ${err instanceof Error ? err.message : String(err)}`);
  });
}

function connectClient(client: Client, host: string, port: number, useTls = false): void {
  if (client.spec.ws) {
    connectWs(client, host, port);
    return;
  }
  if (client.spec.src) {
    // Bun.connect cannot bind a source address; node:net can (localAddress).
    const raw = net.connect({ host, port, localAddress: client.spec.src });
    // TLS over the bound socket: node:tls takes no source address of its own.
    const s = useTls ? tls.connect({ socket: raw, rejectUnauthorized: false }) : raw;
    s.setNoDelay(true);
    client.transport = {
      write: (d: string) => {
        s.write(d);
      },
      end: () => s.end(),
    };
    pendingOf.set(client, () => s.writableLength);
    s.on(useTls ? "secureConnect" : "connect", () => {
      s.setNoDelay(true);
      onOpen(client);
    });
    s.on("data", (d: Buffer) => onData(client, d));
    s.on("error", (e: Error) => onClose(client, e.message));
    s.on("close", () => onClose(client, "connection closed"));
    return;
  }
  Bun.connect<BunSocketData>({
    hostname: host,
    port,
    ...(useTls ? { tls: { rejectUnauthorized: false } } : {}),
    data: { client, pending: [], pendingBytes: 0 },
    socket: {
      open(socket) {
        const t = bunTransport(socket);
        client.transport = t;
        pendingOf.set(client, t.pendingBytes);
        socket.setNoDelay(true);
        onOpen(client);
      },
      data(socket, data) {
        onData(socket.data.client, data);
      },
      drain(socket) {
        flushPending(socket);
      },
      close(socket) {
        onClose(socket.data.client, "connection closed");
      },
      error(socket, err) {
        onClose(socket.data.client, err.message);
      },
      connectError(_socket, err) {
        onClose(client, `connect failed: ${err.message}`);
      },
    },
  }).catch((err: unknown) => {
    onClose(client, `connect failed: ${err instanceof Error ? err.message : String(err)}`);
  });
}

// ---- stages ----

const clients: Client[] = [];

async function setup(cfg: WorkerInit): Promise<void> {
  const t0 = performance.now();
  for (const spec of cfg.clients) {
    clients.push({
      spec,
      stage: "connecting",
      transport: null,
      scanner: null,
      now: 0,
      text: "",
      lsCaps: [],
      labeled: false,
      nick: spec.nick,
      joinsLeft: 0,
      sentThisPhase: 0,
      error: "",
      onReady: null,
    });
  }
  for (const c of clients) c.scanner = new MarkerScanner(sinkFor(c));
  const deadline = t0 + cfg.setupTimeoutMs;
  let next = 0;
  let inFlight = 0;
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (inFlight < cfg.connectConcurrency && next < clients.length) {
        const c = clients[next++] as Client;
        inFlight++;
        c.onReady = () => {
          c.onReady = null;
          inFlight--;
          if (next >= clients.length && inFlight === 0) resolve();
          else launch();
        };
        connectClient(c, cfg.host, cfg.port, cfg.tls === true);
      }
    };
    launch();
    const timer = setInterval(() => {
      if (performance.now() > deadline) {
        for (const c of clients) {
          if (c.stage !== "ready") {
            c.onReady = null;
            fail(c, `not ready within ${cfg.setupTimeoutMs} ms (stage ${c.stage})`);
          }
        }
        clearInterval(timer);
        resolve();
      }
      if (next >= clients.length && inFlight === 0) clearInterval(timer);
    }, 100);
    if (clients.length === 0) resolve();
  });
  const errors = [...new Set(clients.filter((c) => c.stage !== "ready").map((c) => c.error))];
  emit({
    type: "ready",
    workerIndex: cfg.workerIndex,
    clients: clients.length,
    ready: clients.filter((c) => c.stage === "ready").length,
    failed: clients.filter((c) => c.stage !== "ready").length,
    errors: errors.slice(0, 5),
    ackedCaps,
    setupMs: Math.round(performance.now() - t0),
  });
}

function filler(n: number): string {
  return "x".repeat(Math.max(0, n));
}

async function runPhase(cfg: WorkerInit, ph: WorkerPhase): Promise<void> {
  currentStep = ph.step;
  received = 0;
  stale = 0;
  self = 0;
  latency.reset();
  const senders = clients.filter((c) => c.spec.sender && c.stage === "ready");
  for (const s of senders) s.sentThisPhase = 0;
  let sent = 0;
  let skipped = 0;
  const pad = filler(cfg.payloadBytes);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const endAt = t0 + ph.durationMs;
  loopDelay.reset();
  let probeAt = t0;
  // How late a 10 ms timer fires is this process's event-loop delay: kept for the whole phase,
  // drain included, since late deliveries are timed then too.
  const probe = setInterval(() => {
    const now = performance.now();
    loopDelay.record(Math.max(0, (now - probeAt - LOOP_PROBE_MS) * 1000));
    probeAt = now;
  }, LOOP_PROBE_MS);
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const elapsed = Math.min(now, endAt) - t0;
      for (const s of senders) {
        if (!s.transport) continue;
        const due = Math.floor((elapsed / 1000) * ph.ratePerSender + s.spec.offset);
        let n = Math.min(due - s.sentThisPhase, MAX_SENDS_PER_TICK);
        if (n <= 0) continue;
        const pend = pendingOf.get(s)?.() ?? 0;
        if (pend > MAX_PENDING_BYTES) {
          skipped += n;
          s.sentThisPhase += n;
          continue;
        }
        const ts = nowUs();
        const marker = `${formatMarker(ph.step, s.spec.id, ts)} ${pad}`;
        const rooms = roomsOf(s.spec);
        const lines =
          cfg.mode === "plain"
            ? [`${marker}\n`]
            : rooms.map((room) => `PRIVMSG ${room} :${marker}\r\n`);
        s.sentThisPhase += n;
        sent += n * lines.length;
        let out = "";
        // A labeled PRIVMSG is answered with an ACK (no echo-message): the sender reads it too.
        for (; n > 0; n--) {
          // One label per line, as a client labels every command it sends.
          lines.forEach((line, r) => {
            out += s.labeled ? `@label=${s.sentThisPhase - n}${r ? `.${r}` : ""} ${line}` : line;
          });
        }
        s.transport.write(out);
      }
      if (now >= endAt) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 5);
    tick();
  });
  // Drain: wait for deliveries still in flight, bounded.
  const drainStart = performance.now();
  let last = received;
  let lastChange = drainStart;
  while (true) {
    await Bun.sleep(25);
    const now = performance.now();
    if (received !== last) {
      last = received;
      lastChange = now;
    }
    if (now - lastChange >= ph.quietMs || now - drainStart >= ph.maxDrainMs) break;
  }
  clearInterval(probe);
  const cpu = process.cpuUsage(cpu0);
  const result: WorkerResult = {
    type: "result",
    workerIndex: cfg.workerIndex,
    step: ph.step,
    sent,
    skipped,
    received,
    stale,
    self,
    latency: latency.toJSON(),
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    wallMs: performance.now() - t0,
    disconnected,
    loopDelay: loopDelay.toJSON(),
    dropReasons,
    connected,
  };
  // Stop counting until the next phase: late arrivals then count as stale.
  currentStep = -1;
  emit(result);
}

async function main(): Promise<void> {
  for await (const line of protocolLines(Bun.stdin.stream())) {
    const cmd = JSON.parse(line) as WorkerCommand;
    if (cmd.type === "init") {
      init = cmd;
      await setup(cmd);
    } else if (cmd.type === "phase" && init) {
      await runPhase(init, cmd);
    } else if (cmd.type === "quit") {
      for (const c of clients) c.transport?.end();
      await Bun.sleep(50);
      process.exit(0);
    }
  }
  // Coordinator went away: do not linger holding thousands of sockets.
  process.exit(0);
}

await main();
