/**
 * Cluster fan-out benchmark, scenario (i) of `npm run bench`: one room of
 * CLIENTS members, on one node with the in-process bus, then split over two
 * nodes over a real redis-server, in the same run; then the same clients in
 * rooms of 10 (one sender per room). Senders on every node send MESSAGES
 * lines each; every member counts what it receives. Reports deliveries/s,
 * p99 latency (send to receipt, ms) and Redis round trips per message.
 *
 *   bun bench/cluster.ts [clients=500] [messages=200] [--json]
 *
 * With --json the last line is {"rows": [...]} for bench/run.ts.
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
import type { ClusterRow } from "./lib/cluster-scenario.ts";

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const JSON_OUT = process.argv.includes("--json");
const CLIENTS = Number(positional[0] ?? 500);
const MESSAGES = Number(positional[1] ?? 200);
/** Senders in the one-room set-up; in the many-rooms one, the first member of each room. */
const SENDERS = 10;
const ROOM_SIZE = 10;

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
          if (at !== -1 && l.includes(" PRIVMSG #b")) {
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

async function run(
  label: string,
  ports: number[],
  rtts: () => number,
  rooms: number,
): Promise<ClusterRow> {
  latencies.length = 0;
  const members: Member[] = [];
  for (let i = 0; i < CLIENTS; i++)
    members.push(await member(ports[i % ports.length] as number, `m${i}`));
  await Promise.all(members.map((m) => m.welcomed));
  // Member i is in room i % rooms, so every room has members on both nodes.
  const roomOf = (i: number): string => `#b${i % rooms}`;
  members.forEach((m, i) => {
    m.write(`JOIN ${roomOf(i)}`);
  });
  await Promise.all(members.map((m) => m.joined));
  await Bun.sleep(500); // let the other node's replica see every JOIN
  const senders: [Member, string][] =
    rooms === 1
      ? members.slice(0, SENDERS).map((m) => [m, "#b0"])
      : members.slice(0, rooms).map((m, i) => [m, roomOf(i)]);
  const size = (room: number): number =>
    Math.floor(CLIENTS / rooms) + (room < CLIENTS % rooms ? 1 : 0);
  let expected = 0;
  senders.forEach(([, room]) => {
    expected += MESSAGES * (size(Number(room.slice(2))) - 1);
  });
  const rtt0 = rtts();
  const t0 = performance.now();
  for (let k = 0; k < MESSAGES; k++) {
    for (const [s, room] of senders) s.write(`PRIVMSG ${room} :t=${performance.now()}`);
    if (k % 10 === 9) await Bun.sleep(1);
  }
  const total = (): number => members.reduce((n, m) => n + m.got, 0);
  // Bounded: 60 s at most.
  for (let i = 0; i < 6000 && total() < expected; i++) await Bun.sleep(10);
  const secs = (performance.now() - t0) / 1000;
  const got = total();
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
  const perMsg = (rtts() - rtt0) / (senders.length * MESSAGES);
  for (const m of members) m.close();
  await Bun.sleep(200); // let the servers see every QUIT before the next set-up
  return {
    setup: label,
    rooms,
    deliveries: got,
    expected,
    perSecond: Math.round(got / secs),
    p99Ms: Math.round(p99 * 10) / 10,
    roundTripsPerMessage: Math.round(perMsg * 1000) / 1000,
  };
}

const limits = { floodLimit: false, maxConnectionsPerIp: 100_000 };
const rows: ClusterRow[] = [];
const variants = [1, Math.max(2, Math.floor(CLIENTS / ROOM_SIZE))];
const redis = await startTestRedis();
for (const rooms of variants) {
  const one: RunningServer = startServer({
    host: "127.0.0.1",
    port: 0,
    store: new MemoryStore({ history: 1000 }),
    bus: new LocalBus(),
    limits,
    plainFront: null,
  });
  rows.push(await run("one node, LocalBus", [one.port], () => 0, rooms));
  await one.stop();

  const nodes: { server: RunningServer; bus: RedisBus; cluster: Cluster }[] = [];
  const prefix = `bench${rooms}:`;
  for (let i = 0; i < 2; i++) {
    const bus = await RedisBus.connect({ url: redis.url, prefix });
    const server = startServer({
      host: "127.0.0.1",
      port: 0,
      store: new MemoryStore({ history: 1000 }),
      bus,
      limits,
      plainFront: null,
    });
    const cluster = new Cluster(server.core, bus, ircFront, { prefix });
    cluster.start();
    nodes.push({ server, bus, cluster });
  }
  rows.push(
    await run(
      "two nodes over Redis",
      nodes.map((n) => n.server.port),
      () => nodes.reduce((s, n) => s + n.bus.stats.roundTrips, 0),
      rooms,
    ),
  );
  for (const n of nodes) {
    n.cluster.stop();
    await n.server.stop();
    n.bus.close();
  }
}
await redis.stop();
console.log(
  `cluster fan-out: ${CLIENTS} clients; one room (${SENDERS} senders) and rooms of ${ROOM_SIZE} (one sender each), ${MESSAGES} messages per sender`,
);
for (const r of rows) {
  console.log(
    `${`${r.setup}, ${r.rooms} room(s)`.padEnd(36)} deliveries ${r.deliveries}/${r.expected}  ${r.perSecond}/s  p99 ${r.p99Ms} ms  redis round trips/message ${r.roundTripsPerMessage}`,
  );
}
if (JSON_OUT) console.log(JSON.stringify({ clients: CLIENTS, messages: MESSAGES, rows }));
process.exit(0);
