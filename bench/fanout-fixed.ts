/**
 * One fan-out phase at a fixed rate against a fresh `dist/chat`, for looking inside the server
 * while it works: one room of 500 and 10 senders, over TCP, WebSocket on the main port, or
 * WebSocket on a dedicated `--web-port`. It writes the server's pid to the file named by
 * `--pid-file` once the clients are warm, so a profiler can attach for the phase, e.g.
 *
 *   bun bench/fanout-fixed.ts --transport ws-port --rate 5126 --seconds 10 --pid-file /tmp/pid &
 *   sleep 6; perf stat -e syscalls:sys_enter_sendto -p "$(cat /tmp/pid)" -- sleep 5
 *
 * and prints the phase like a ramp step (deliveries/s, latency, server and generator CPU).
 */
import { parseArgs } from "node:util";
import { clientSpecs, LoadGen } from "./lib/loadgen.ts";
import { fmtStep, measuredPhase } from "./lib/scenarios.ts";
import { startForTransport, type WebTransport } from "./lib/web-fanout.ts";

const { values } = parseArgs({
  options: {
    transport: { type: "string", default: "tcp" },
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "10" },
    "pid-file": { type: "string" },
  },
});
const transport = values.transport ?? "tcp";
const rate = Number(values.rate);
const seconds = Number(values.seconds);
if (!["tcp", "ws", "ws-port"].includes(transport) || !(rate > 0) || !(seconds > 0)) {
  console.error(
    "usage: bun bench/fanout-fixed.ts --transport tcp|ws|ws-port --rate MSGS_PER_S --seconds N [--pid-file F]",
  );
  process.exit(2);
}
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const { server, target } = await startForTransport(transport as WebTransport);
try {
  const specs = clientSpecs({ count: 500, rooms: 1, sendersPerRoom: 10, nickPrefix: "f" });
  if (transport !== "tcp") for (const s of specs) s.ws = true;
  const lg = await LoadGen.start({
    host: target.host,
    port: target.port,
    mode: "irc",
    clients: specs,
    workers: 2,
    log,
  });
  try {
    await lg.phase({ step: 0, durationMs: 1000, ratePerSender: 5 });
    if (values["pid-file"]) await Bun.write(values["pid-file"], String(server.pid));
    log(`server pid ${server.pid}: ${transport} at ${rate} msg/s for ${seconds} s`);
    const s = await measuredPhase(server, lg, 1, rate, seconds * 1000, 10, 499);
    process.stdout.write(`${fmtStep(s)}\n`);
  } finally {
    await lg.stop();
  }
} finally {
  await server.stop();
}
