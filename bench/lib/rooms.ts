/**
 * (b) many small rooms: rooms of 10, every member sends 1 msg/s to each of its rooms, at 500
 * rooms and at 2,000 rooms (issue 18). The server may hold at most 20,000 open files, so 2,000
 * rooms of 10 cannot be 20,000 distinct clients: there they are 10,000 clients in two rooms
 * each. Every room still has 10 members (a fan-out of 9 per message) and the offered load is
 * the same as 20,000 one-room clients: 20,000 msg/s in, 180,000 deliveries/s out. No two
 * clients share both their rooms, so each client hears 18 distinct others.
 */

import { isObj, m, ms } from "./format.ts";
import { checkGenerator, fmtGenerator, type GeneratorCheck } from "./generator-check.ts";
import { LoadGen, sourceAddress } from "./loadgen.ts";
import type { ClientSpec } from "./protocol.ts";
import { fmtStep, measuredPhase, type ScenarioOptions, type StepResult } from "./scenarios.ts";
import type { RunningServer, ServerKind } from "./servers.ts";

export interface RoomsShape {
  rooms: number;
  /** Members per room. */
  members: number;
  /** Distinct client connections. */
  clients: number;
  /** Rooms each client is in: 1, or 2 where one client per membership would pass the cap. */
  roomsPerClient: 1 | 2;
}

/** The latency target of issue 18 for (b) at both sizes. */
export const ROOMS_P99_TARGET_MS = 20;

/** The sizes (b) runs, in order; quick mode keeps both layouts at a tenth of the size. */
export function roomsShapes(quick: boolean): RoomsShape[] {
  return quick
    ? [
        { rooms: 50, members: 10, clients: 500, roomsPerClient: 1 },
        { rooms: 200, members: 10, clients: 1000, roomsPerClient: 2 },
      ]
    : [
        { rooms: 500, members: 10, clients: 5000, roomsPerClient: 1 },
        { rooms: 2000, members: 10, clients: 10_000, roomsPerClient: 2 },
      ];
}

/** "2,000 rooms of 10 (10,000 clients in 2 rooms each)". */
export function shapeLabel(s: RoomsShape): string {
  const n = (x: number): string => x.toLocaleString("en-US");
  return `${n(s.rooms)} rooms of ${s.members}${s.roomsPerClient > 1 ? ` (${n(s.clients)} clients in ${s.roomsPerClient} rooms each)` : ` (${n(s.clients)} clients)`}`;
}

/**
 * The room numbers of client `i`. First rooms group consecutive clients (0-9, 10-19, ...); the
 * second rooms take one client from each of `members` first rooms, spaced `groups` apart, so
 * two clients that share a first room never share a second one.
 */
export function roomsOfClient(shape: RoomsShape, i: number): number[] {
  const groups = shape.clients / shape.members;
  const first = Math.floor(i / shape.members);
  return shape.roomsPerClient === 1 ? [first] : [first, groups + (i % groups)];
}

/** Throws when the shape cannot be laid out as described (a mistake in the bench, not input). */
export function checkShape(shape: RoomsShape): void {
  const groups = shape.clients / shape.members;
  if (!Number.isInteger(groups)) {
    throw new Error(`${shape.clients} clients do not split into rooms of ${shape.members}`);
  }
  if (shape.rooms !== groups * shape.roomsPerClient) {
    throw new Error(
      `${shape.clients} clients in ${shape.roomsPerClient} room(s) each make ${groups * shape.roomsPerClient} rooms of ${shape.members}, not ${shape.rooms}`,
    );
  }
  // Second rooms take members `groups` apart: with fewer groups than members, two of them
  // would come from one first room.
  if (shape.roomsPerClient === 2 && groups < shape.members) {
    throw new Error(`two rooms each need at least ${shape.members ** 2} clients`);
  }
}

/** The clients of `shape`: every one a sender, offsets spread over the second. */
export function roomsLayout(
  shape: RoomsShape,
  opts: { nickPrefix: string; srcPerAddress?: number },
): ClientSpec[] {
  checkShape(shape);
  const out: ClientSpec[] = [];
  for (let i = 0; i < shape.clients; i++) {
    const [first, ...also] = roomsOfClient(shape, i).map((r) => `#bench${r}`);
    const spec: ClientSpec = {
      id: i,
      nick: `${opts.nickPrefix}${i}`,
      room: first ?? "",
      sender: true,
      offset: i / shape.clients,
    };
    if (also.length) spec.alsoRooms = also;
    if (opts.srcPerAddress) spec.src = sourceAddress(i, opts.srcPerAddress);
    out.push(spec);
  }
  return out;
}

/**
 * chat's own flags for (b): the per-address cap raised above the clients of one address (as
 * the peers' configs allow 100,000), so a run with --per-ip 0 (one address) is not refused.
 */
export function roomsChatArgs(shape: RoomsShape): string[] {
  return ["--max-per-ip", String(Math.max(100, shape.clients))];
}

export interface RoomsResult {
  kind: "rooms";
  clients: number;
  ready: number;
  rooms: number;
  /** Absent in older result files: one room per client, 10 members. */
  members?: number;
  roomsPerClient?: number;
  step: StepResult | null;
  /** Whether the generator kept up during the measured step (absent in older result files). */
  generator?: GeneratorCheck;
  errors: string[];
}

/** One size of (b) for each server that ran it (or why it failed). */
export interface RoomsRun {
  shape: RoomsShape;
  servers: Partial<Record<ServerKind, RoomsResult | string>>;
}

/** (b) at one size: every client sends 1 msg/s to each of its rooms for 10 s (3 s quick). */
export async function manyRooms(
  server: RunningServer,
  opts: ScenarioOptions,
  shape: RoomsShape,
): Promise<RoomsResult> {
  const memberships = shape.clients * shape.roomsPerClient;
  const durationMs = opts.quick ? 3000 : 10_000;
  const base = {
    kind: "rooms" as const,
    clients: shape.clients,
    rooms: shape.rooms,
    members: shape.members,
    roomsPerClient: shape.roomsPerClient,
  };
  const lg = await LoadGen.start({
    host: server.host,
    port: server.port,
    mode: "irc",
    clients: roomsLayout(shape, {
      nickPrefix: "r",
      srcPerAddress: opts.perSourceAddress || undefined,
    }),
    // One worker per 2,500 clients: a worker's event-loop delay goes into the latency it
    // measures, and it grows with the clients a worker serves (10,000 clients on a quiet
    // machine: loop p99 39-43 ms with 2 workers, 16-18 ms with 4).
    workers: Math.max(opts.workers, Math.ceil(shape.clients / 2500)),
    // InspIRCd took 81 s to take 10,000 clients on a quiet machine, ngIRCd over 108 s: the
    // default 120 s would fail them on a busy one. 18 ms a client, never under 120 s.
    setupTimeoutMs: Math.max(120_000, shape.clients * 18),
    log: opts.log,
  });
  try {
    opts.log(`  ${lg.setup.ready}/${shape.clients} clients ready in ${lg.setup.setupMs} ms`);
    if (lg.setup.ready < shape.clients) {
      return { ...base, ready: lg.setup.ready, step: null, errors: lg.setup.errors };
    }
    await lg.phase({ step: 0, durationMs: 1000, ratePerSender: 1 });
    // Every (client, room) pair is a sending slot at 1 msg/s.
    const s = await measuredPhase(
      server,
      lg,
      1,
      memberships,
      durationMs,
      memberships,
      shape.members - 1,
    );
    const generator = checkGenerator(s, ROOMS_P99_TARGET_MS / 4);
    opts.log(
      `  ${fmtStep(s)}; generator ${fmtGenerator(s)}${generator.keptUp ? "" : ` (did not keep up: ${generator.reasons.join("; ")})`}`,
    );
    return { ...base, ready: lg.setup.ready, step: s, generator, errors: lg.setup.errors };
  } finally {
    await lg.stop();
  }
}

/** The p99 of one server at one size, or undefined when it did not run or measure. */
export function roomsP99(run: RoomsRun | undefined, kind: ServerKind): number | undefined {
  const v = run?.servers[kind];
  return isObj<RoomsResult>(v) ? v.step?.latency.p99Ms : undefined;
}

/** The report's section for (b): one row per size per server. */
export function roomsSection(
  runs: readonly RoomsRun[],
  names: Record<ServerKind, string>,
): string[] {
  const out = [
    "## (b) many small rooms: rooms of 10, every member sending 1 msg/s to each of its rooms",
    "",
    "At 2,000 rooms the 20,000 memberships are 10,000 clients in two rooms each (20,000 clients would not fit under the server's 20,000 open-file cap); the offered load is the same as one client per membership: 20,000 msg/s in, 180,000 deliveries/s out, 9 recipients per message. " +
      `The generator kept up when it sent ≥ 95% of the asked rate, no worker used more than 90% of a core and no worker's own event-loop delay p99 passed ${ROOMS_P99_TARGET_MS / 4} ms (a quarter of the ${ROOMS_P99_TARGET_MS} ms target).`,
    "",
    "| size | server | clients ready | sent msg/s | deliveries/s | delivered | p50 | p90 | p99 | max | server CPU | machine cores busy | generator | generator kept up |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const blank = " | | | | | | | | | | |";
  for (const run of runs) {
    const size = shapeLabel(run.shape);
    for (const k of Object.keys(run.servers) as ServerKind[]) {
      const x = run.servers[k];
      if (!isObj<RoomsResult>(x)) {
        out.push(`| ${size} | ${names[k]} | ${String(x)}${blank}`);
      } else if (!x.step) {
        out.push(
          `| ${size} | ${names[k]} | ${x.ready}/${x.clients}: ${x.errors.join(" / ")}${blank}`,
        );
      } else {
        const s = x.step;
        const kept = x.generator
          ? x.generator.keptUp
            ? "yes"
            : `**no**: ${x.generator.reasons.join("; ")}`
          : "—";
        out.push(
          `| ${size} | ${names[k]} | ${x.ready}/${x.clients} | ${Math.round(s.sentPerSecond)} | ${m(s.deliveriesPerSecond)} | ${(s.deliveryRatio * 100).toFixed(2)}% | ${ms(s.latency.p50Ms)} | ${ms(s.latency.p90Ms)} | ${ms(s.latency.p99Ms)} | ${ms(s.latency.maxMs)} | ${(s.serverCpu * 100).toFixed(0)}% | ${s.machineBusyCores.toFixed(2)} | ${fmtGenerator(s)} | ${kept} |`,
        );
      }
    }
  }
  out.push("");
  return out;
}
