/**
 * Cluster fan-out benchmark: one room of CLIENTS members, on one node with the
 * in-process bus, then split over two nodes over a real redis-server, in the
 * same run. Senders on every node send MESSAGES lines each; every member
 * counts what it receives. Reports deliveries/s, p99 latency (send to
 * receipt, ms) and Redis round trips per message.
 *
 *   bun bench/cluster.ts [clients=500] [messages=200]
 *
 * Everything runs in this one process (both nodes, all clients) on a machine
 * shared with others: read the ratio between the two rows, not the figures.
 */
import { LocalBus } from "../src/bus/local.ts";
import { RedisBus } from "../src/bus/redis.ts";
import { type RunningServer, startServer } from "../src/cli/start-server.ts";
import { Cluster } from "../src/cluster/cluster.ts";
import { ircFront } from "../src/fronts/irc/front.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { startTestRedis } from "../tests/helpers/redis.ts";

const CLIENTS = Number(process.argv[2] ?? 500);
const MESSAGES = Number(process.argv[3] ?? 200);
const SENDERS = 10;

interface Member {
  write(line: string): void;
  got: number;
  welcomed: Promise<void>;
  joined: Promise<void>;
  close(): void;
}

const latencies: number[] = [];

async function member(port: number, nick: string): Promise<Member> {
  let welcome: () => void = () => {};
  let join: () => void = () => {};
  const m: Member = {
    write: () => {},
    got: 0,
    welcomed: new Promise((r) => {
      welcome = r;
    }),
    joined: new Promise((r) => {
      join = r;
    }),
    close: () => {},
  };
  let rest = "";
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, chunk) {
        const text = rest + chunk.toString();
        const lines = text.split("\r\n");
        rest = lines.pop() ?? "";
        for (const l of lines) {
          const at = l.indexOf(" :t=");
          if (at !== -1 && l.includes(" PRIVMSG #bench ")) {
            m.got++;
            latencies.push(performance.now() - Number(l.slice(at + 4)));
          } else if (l.includes(" 001 ")) welcome();
          else if (l.includes(" 366 ")) join();
        }
      },
    },
  });
  m.write = (line) => sock.write(`${line}\r\n`);
  m.close = () => sock.end();
  m.write(`NICK ${nick}`);
  m.write(`USER b 0 * :b`);
  return m;
}

async function run(label: string, ports: number[], rtts: () => number): Promise<string> {
  latencies.length = 0;
  const members: Member[] = [];
  for (let i = 0; i < CLIENTS; i++)
    members.push(await member(ports[i % ports.length] as number, `m${i}`));
  await Promise.all(members.map((m) => m.welcomed));
  for (const m of members) m.write("JOIN #bench");
  await Promise.all(members.map((m) => m.joined));
  await Bun.sleep(500); // let the other node's replica see every JOIN
  const senders = members.slice(0, SENDERS);
  const expected = SENDERS * MESSAGES * (CLIENTS - 1);
  const rtt0 = rtts();
  const t0 = performance.now();
  for (let k = 0; k < MESSAGES; k++) {
    for (const s of senders) s.write(`PRIVMSG #bench :t=${performance.now()}`);
    if (k % 10 === 9) await Bun.sleep(1);
  }
  const total = (): number => members.reduce((n, m) => n + m.got, 0);
  // Bounded: 60 s at most.
  for (let i = 0; i < 6000 && total() < expected; i++) await Bun.sleep(10);
  const secs = (performance.now() - t0) / 1000;
  const got = total();
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
  const perMsg = (rtts() - rtt0) / (SENDERS * MESSAGES);
  for (const m of members) m.close();
  return `${label.padEnd(24)} deliveries ${got}/${expected}  ${(got / secs).toFixed(0)}/s  p99 ${p99.toFixed(1)} ms  redis round trips/message ${perMsg.toFixed(2)}`;
}

const limits = { floodLimit: false, maxConnectionsPerIp: 100_000 };
const one: RunningServer = startServer({
  host: "127.0.0.1",
  port: 0,
  store: new MemoryStore({ history: 1000 }),
  bus: new LocalBus(),
  limits,
  plainFront: null,
});
const rows: string[] = [];
rows.push(await run("one node, LocalBus", [one.port], () => 0));
await one.stop();

const redis = await startTestRedis();
const nodes: { server: RunningServer; bus: RedisBus; cluster: Cluster }[] = [];
for (let i = 0; i < 2; i++) {
  const bus = await RedisBus.connect({ url: redis.url });
  const server = startServer({
    host: "127.0.0.1",
    port: 0,
    store: new MemoryStore({ history: 1000 }),
    bus,
    limits,
    plainFront: null,
  });
  const cluster = new Cluster(server.core, bus, ircFront);
  cluster.start();
  nodes.push({ server, bus, cluster });
}
rows.push(
  await run(
    "two nodes over Redis",
    nodes.map((n) => n.server.port),
    () => nodes.reduce((s, n) => s + n.bus.stats.roundTrips, 0),
  ),
);
for (const n of nodes) {
  n.cluster.stop();
  await n.server.stop();
  n.bus.close();
}
await redis.stop();
console.log(`cluster fan-out: one room of ${CLIENTS}, ${SENDERS} senders x ${MESSAGES} messages`);
for (const r of rows) console.log(r);
process.exit(0);
