/**
 * WebSocket fan-out beside TCP, in one run: one room of 500 clients (100 with
 * --quick) and 10 senders, all over TCP, all over WebSocket (the web front,
 * `binary.ircv3.net`), and half of each, each against a fresh `dist/chat`.
 * Prints the highest passing step of each ramp (delivery >= 99%, p99 <= 1 s)
 * and WebSocket's deliveries/s as a share of TCP's (the target: within 25%).
 * `ws-port` is the WebSocket ramp against a dedicated `--web-port`, where
 * Bun.serve holds the sockets itself: beside `ws` (the main port, where each
 * connection is piped to the internal Bun.serve) it shows what the pipe costs.
 *
 *   npm run bench:web [-- --quick] [--transports=tcp,ws,mix,ws-port]
 */
import { type FanoutResult, fanoutRamp } from "./lib/scenarios.ts";
import { startChat } from "./lib/servers.ts";

const quick = process.argv.includes("--quick");
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const opts = { quick, workers: 2, perSourceAddress: 0, log };

const ALL = ["tcp", "ws", "mix", "ws-port"] as const;
type Kind = (typeof ALL)[number];
const asked = process.argv.find((a) => a.startsWith("--transports="))?.slice(13);
const TRANSPORTS: readonly Kind[] = asked ? ALL.filter((t) => asked.split(",").includes(t)) : ALL;
const results = new Map<Kind, FanoutResult>();

/** A free port on 127.0.0.1 for --web-port (taken back a moment later by the server). */
function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

for (const transport of TRANSPORTS) {
  log(`fan-out over ${transport}`);
  // A browser's WebSocket cannot pick its source address, so every client is
  // 127.0.0.1: the per-address cap is lifted for all ramps alike.
  const webPort = transport === "ws-port" ? freePort() : 0;
  const extra = webPort ? ["--web-port", String(webPort)] : [];
  const server = await startChat({ extraArgs: ["--max-per-ip", "100000", ...extra] });
  try {
    const target = webPort ? { ...server, port: webPort } : server;
    const mode = transport === "ws-port" ? "ws" : transport;
    results.set(transport, await fanoutRamp(target, "irc", opts, mode));
  } finally {
    await server.stop();
  }
}

const tcp = results.get("tcp")?.best?.deliveriesPerSecond ?? 0;
const rows = TRANSPORTS.map((t) => {
  const best = results.get(t)?.best;
  if (best === null || best === undefined) return `| ${t} | no passing step | | |`;
  const share = tcp > 0 ? `${((100 * best.deliveriesPerSecond) / tcp).toFixed(0)}%` : "";
  return `| ${t} | ${Math.round(best.deliveriesPerSecond)} | ${best.latency.p99Ms.toFixed(1)} ms | ${share} |`;
});
const clients = results.get("tcp")?.clients ?? 0;
process.stdout.write(
  [
    `One room, ${clients} clients, 10 senders: highest passing step`,
    "",
    "| transport | deliveries/s | p99 | of TCP |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n"),
);
