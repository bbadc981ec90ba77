/**
 * `npm run bench:web`: scenario (j) of `npm run bench` on its own, printed instead of written
 * to BENCHMARKS.md: one room of 500 and 10 senders, all over TCP, all WebSockets on the main port,
 * half of each, and all WebSockets on a dedicated `--web-port`, each against a fresh `dist/chat`
 * (bench/lib/web-fanout.ts). Shows WebSocket's deliveries/s as a share of TCP's (the target:
 * within 25%) and server CPU per delivery at the same load.
 *
 *   npm run bench:web [-- --quick] [--transports=tcp,ws,mix,ws-port]
 */
import { ensureChatBuilt } from "./lib/servers.ts";
import { WEB_TRANSPORTS, type WebTransport, webFanout, webSection } from "./lib/web-fanout.ts";

const quick = process.argv.includes("--quick");
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const asked = process.argv.find((a) => a.startsWith("--transports="))?.slice(13);
const transports: readonly WebTransport[] = asked
  ? WEB_TRANSPORTS.filter((t) => asked.split(",").includes(t))
  : WEB_TRANSPORTS;
ensureChatBuilt(log, false);
const result = await webFanout({ quick, workers: 2, perSourceAddress: 0, log }, transports);
process.stdout.write(`${webSection(result).join("\n")}\n`);
