/**
 * (j) WebSocket fan-out beside TCP (issue 15): one room of 500 and 10 senders, each ramp against
 * a fresh chat server, the clients
 *
 * - `tcp`: all over TCP (scenario (a)'s clients);
 * - `ws`: all WebSockets on the main port (`binary.ircv3.net`), where the sniffing listener
 *   pipes each connection to the internal Bun.serve;
 * - `mix`: every other client each way;
 * - `ws-port`: all WebSockets on a dedicated `--web-port`, where Bun.serve holds the sockets.
 *
 * The rungs are x1.15 apart (from 2,278 msg/s, 1.1 M deliveries/s): a share of TCP read off
 * (a)'s x1.5 rungs could only be 100%, 67% or 44%, so "within 25%" was one rung or nothing.
 * The load generator frames WebSocket by hand on plain sockets and scans a chunk's frames in one
 * pass (bench/lib/ws-frames.ts), so its cost per delivery is close to its TCP clients'.
 */
import { isObj, m, ms, us } from "./format.ts";
import { type FanoutResult, fanoutRamp, type Ladder, type ScenarioOptions } from "./scenarios.ts";
import { type ChatKind, freePort, type RunningServer, startChat } from "./servers.ts";
import { stepsTable } from "./steps-table.ts";

export const WEB_TRANSPORTS = ["tcp", "ws", "mix", "ws-port"] as const;
export type WebTransport = (typeof WEB_TRANSPORTS)[number];
export type WebResult = Partial<Record<WebTransport, FanoutResult | string>>;

export const WEB_LADDER: Ladder = {
  startMsgsPerSecond: 200 * 1.5 ** 6,
  factor: 1.15,
  maxSteps: 24,
};
/** Issue 15: WebSocket fan-out within 25% of TCP's. */
export const WS_SHARE_TARGET = 0.75;

const LABELS: Record<WebTransport, string> = {
  tcp: "TCP",
  ws: "WebSocket, main port (piped)",
  mix: "half TCP, half WebSocket (main port)",
  "ws-port": "WebSocket, `--web-port`",
};

/**
 * A fresh chat server for one transport, and where its clients connect: the main port, or a
 * dedicated `--web-port` for `ws-port`. A browser's WebSocket cannot pick its source address,
 * so every client is 127.0.0.1: the per-address cap is lifted for every transport alike.
 */
export async function startForTransport(
  transport: WebTransport,
  kind: ChatKind = "chat",
): Promise<{ server: RunningServer; target: RunningServer }> {
  const webPort = transport === "ws-port" ? await freePort() : 0;
  const extra = webPort ? ["--web-port", String(webPort)] : [];
  const server = await startChat({ kind, extraArgs: ["--max-per-ip", "100000", ...extra] });
  return { server, target: webPort ? { ...server, port: webPort } : server };
}

export async function webFanout(
  opts: ScenarioOptions,
  transports: readonly WebTransport[] = WEB_TRANSPORTS,
  kind: ChatKind = "chat",
): Promise<WebResult> {
  const out: WebResult = {};
  for (const transport of transports) {
    opts.log(` ${LABELS[transport]}`);
    try {
      const { server, target } = await startForTransport(transport, kind);
      try {
        const mode = transport === "ws-port" ? "ws" : transport;
        out[transport] = await fanoutRamp(target, "irc", opts, mode, false, WEB_LADDER);
      } finally {
        await server.stop();
      }
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      opts.log(`  ${transport} failed: ${msg}`);
      out[transport] = `failed: ${msg.split("\n")[0]}`;
    }
  }
  return out;
}

export interface WebShare {
  /** Highest passing step's deliveries/s over TCP's. */
  share: number;
  /** Server CPU per delivery, this transport over TCP, at the highest rung both passed. */
  cpuRatio: number | undefined;
  commonDeliveriesPerSecond: number | undefined;
}

const bestOf = (r: FanoutResult | string | undefined): number | undefined =>
  isObj<FanoutResult>(r) ? (r.best?.deliveriesPerSecond ?? 0) : undefined;

/** µs of server CPU per delivery at one step. */
const cpuPerDelivery = (s: { serverCpu: number; deliveriesPerSecond: number }): number =>
  (s.serverCpu * 1e6) / s.deliveriesPerSecond;

/** The passing step of a ramp at a given rung (asked rate), if it passed one. */
function passedAt(r: FanoutResult, asked: number): FanoutResult["steps"][number] | undefined {
  return r.steps.find((s) => s.pass && Math.abs(s.targetMsgsPerSecond - asked) < 0.5);
}

export function webShare(r: WebResult, t: WebTransport): WebShare | undefined {
  const tcp = r.tcp;
  const other = r[t];
  const tcpBest = bestOf(tcp);
  const best = bestOf(other);
  if (!isObj<FanoutResult>(tcp) || !isObj<FanoutResult>(other) || !tcpBest || best === undefined)
    return undefined;
  // The highest rung both passed: the same offered load, so CPU per delivery compares directly.
  const common = other.steps
    .filter((s) => s.pass && passedAt(tcp, s.targetMsgsPerSecond) !== undefined)
    .reduce<FanoutResult["steps"][number] | undefined>(
      (b, s) => (b === undefined || s.targetMsgsPerSecond > b.targetMsgsPerSecond ? s : b),
      undefined,
    );
  const tcpThere = common ? passedAt(tcp, common.targetMsgsPerSecond) : undefined;
  return {
    share: best / tcpBest,
    cpuRatio: common && tcpThere ? cpuPerDelivery(common) / cpuPerDelivery(tcpThere) : undefined,
    commonDeliveriesPerSecond: common?.deliveriesPerSecond,
  };
}

const pct = (x: number | undefined): string => (x === undefined ? "—" : `${(100 * x).toFixed(0)}%`);

/** Rows for the summary table: each WebSocket ramp's share of TCP against the target. */
export function webSummaryRows(r: WebResult | undefined): string[] {
  if (!r || Object.keys(r).length === 0) return [];
  const rows: string[] = [];
  for (const t of WEB_TRANSPORTS.filter((x) => x !== "tcp" && r[x] !== undefined)) {
    const s = webShare(r, t);
    const met = s === undefined ? "—" : s.share >= WS_SHARE_TARGET ? "yes" : "**no**";
    rows.push(
      `| ${t === "ws" ? "(j) WebSocket fan-out, 1 room of 500 (chat only)" : ""} | ${LABELS[t]}: max sustained deliveries/s, share of TCP's (${m(bestOf(r.tcp))}) | ${m(bestOf(r[t]))} (${pct(s?.share)}) | n/a | n/a | | | within 25% of TCP | ${met} |`,
    );
  }
  return rows;
}

export function webSection(r: WebResult | undefined): string[] {
  if (!r || Object.keys(r).length === 0) return [];
  const out = [
    "## (j) WebSocket fan-out beside TCP: one room of 500, 10 senders (issue 15)",
    "",
    "Each ramp against a fresh `dist/chat` started with `--max-per-ip 100000` (a browser cannot pick its source address). " +
      "WebSocket clients use `binary.ircv3.net`, one IRC line per message. " +
      `Rungs x${WEB_LADDER.factor} apart from ${Math.round(WEB_LADDER.startMsgsPerSecond)} msg/s, finer than (a)'s x1.5. ` +
      "Server CPU per delivery is the server's CPU over deliveries/s; the last column compares it with TCP at the highest rung both ramps passed (the same offered load).",
    "",
    "| clients | max sustained deliveries/s | p99 at that rate | of TCP | server CPU per delivery there | vs TCP at the same load | why it stopped |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const t of WEB_TRANSPORTS) {
    const v = r[t];
    if (v === undefined) continue;
    if (!isObj<FanoutResult>(v)) {
      out.push(`| ${LABELS[t]} | ${v} | | | | | |`);
      continue;
    }
    const last = v.steps[v.steps.length - 1];
    const why =
      last && !last.pass
        ? `step ${last.step} failed (${(last.deliveryRatio * 100).toFixed(1)}% delivered, p99 ${ms(last.latency.p99Ms)}${last.disconnected ? `, ${last.disconnected} dropped` : ""})`
        : "ramp ended without failing";
    const s = t === "tcp" ? undefined : webShare(r, t);
    const cpu = v.best ? us(cpuPerDelivery(v.best)) : "—";
    const vs =
      s?.cpuRatio === undefined
        ? t === "tcp"
          ? "1.00x"
          : "—"
        : `${s.cpuRatio.toFixed(2)}x (at ${m(s.commonDeliveriesPerSecond)})`;
    out.push(
      `| ${LABELS[t]} | ${m(v.best?.deliveriesPerSecond)} | ${ms(v.best?.latency.p99Ms)} | ${t === "tcp" ? "100%" : pct(s?.share)} | ${cpu} | ${vs} | ${why} |`,
    );
  }
  out.push("");
  for (const t of WEB_TRANSPORTS) {
    const v = r[t];
    if (!isObj<FanoutResult>(v)) continue;
    out.push(`### ${LABELS[t]}`, "", stepsTable(v.steps), "");
  }
  return out;
}
