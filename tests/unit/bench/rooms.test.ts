import { describe, expect, test } from "bun:test";
import { renderReport } from "../../../bench/lib/report.ts";
import {
  checkShape,
  type RoomsResult,
  type RoomsShape,
  roomsChatArgs,
  roomsLayout,
  roomsSection,
  roomsShapes,
  shapeLabel,
} from "../../../bench/lib/rooms.ts";
import { results, step } from "./fixtures.ts";

/** The server's open-file cap the benchmark machine has (`ulimit -Hn`). */
const OPEN_FILE_CAP = 20_000;

/** Room name -> its members' ids. */
function membersByRoom(shape: RoomsShape): Map<string, number[]> {
  const rooms = new Map<string, number[]>();
  for (const c of roomsLayout(shape, { nickPrefix: "r" })) {
    for (const r of [c.room, ...(c.alsoRooms ?? [])]) {
      rooms.set(r, [...(rooms.get(r) ?? []), c.id]);
    }
  }
  return rooms;
}

/** The summary table's lines (the report also quotes bench/findings.md, which has tables too). */
function summaryLines(md: string): string[] {
  const from = md.indexOf("## Summary against the targets");
  const to = md.indexOf("\n## ", from + 1);
  return md.slice(from, to).split("\n");
}

const NAMES = {
  chat: "chat",
  "chat-baseline": "chat-baseline",
  inspircd: "InspIRCd",
  ngircd: "ngIRCd",
};

function roomsResult(shape: RoomsShape, p99: number, keptUp = true): RoomsResult {
  const s = step(1, shape.clients * shape.roomsPerClient, { p99 });
  return {
    kind: "rooms",
    clients: shape.clients,
    ready: shape.clients,
    rooms: shape.rooms,
    members: shape.members,
    roomsPerClient: shape.roomsPerClient,
    step: s,
    generator: keptUp
      ? { keptUp: true, reasons: [] }
      : { keptUp: false, reasons: ["worker 0 at 97% of a core"] },
    errors: [],
  };
}

describe("(b) many rooms: sizes and layout", () => {
  test("the full run measures 500 and 2,000 rooms of 10, both under the open-file cap", () => {
    const [small, large] = roomsShapes(false);
    expect(small).toEqual({ rooms: 500, members: 10, clients: 5000, roomsPerClient: 1 });
    expect(large).toEqual({ rooms: 2000, members: 10, clients: 10_000, roomsPerClient: 2 });
    for (const s of roomsShapes(false)) {
      // 20,000 memberships at 2,000 rooms: the same offered load as 20,000 one-room clients.
      expect(s.clients * s.roomsPerClient).toBe(s.rooms * s.members);
      expect(s.clients).toBeLessThan(OPEN_FILE_CAP - 1000);
    }
  });

  test("quick mode keeps both layouts, smaller", () => {
    const quick = roomsShapes(true);
    expect(quick.map((s) => s.roomsPerClient)).toEqual([1, 2]);
    expect(Math.max(...quick.map((s) => s.clients))).toBeLessThan(5000);
  });

  for (const shape of [...roomsShapes(false), ...roomsShapes(true)]) {
    test(`${shapeLabel(shape)}: every room has exactly ${shape.members} members`, () => {
      const rooms = membersByRoom(shape);
      expect(rooms.size).toBe(shape.rooms);
      for (const members of rooms.values()) {
        expect(members).toHaveLength(shape.members);
        expect(new Set(members).size).toBe(shape.members);
      }
    });
  }

  test("at 2,000 rooms each client is in two distinct rooms and no two clients share both", () => {
    const shape = roomsShapes(false)[1] as RoomsShape;
    const specs = roomsLayout(shape, { nickPrefix: "r" });
    expect(specs).toHaveLength(10_000);
    const roomsOf = new Map(specs.map((c) => [c.id, [c.room, ...(c.alsoRooms ?? [])]]));
    for (const rs of roomsOf.values()) {
      expect(rs).toHaveLength(2);
      expect(rs[0]).not.toBe(rs[1]);
    }
    // Every pair of members of one room shares only that room: a client hears 18 distinct others.
    const pairs = new Set<string>();
    for (const members of membersByRoom(shape).values()) {
      for (const a of members) {
        for (const b of members) {
          if (a >= b) continue;
          const key = `${a},${b}`;
          expect(pairs.has(key)).toBe(false);
          pairs.add(key);
        }
      }
    }
    expect(pairs.size).toBe(2000 * 45);
  });

  test("every client sends, at its own point of the second, with unique nicks", () => {
    const specs = roomsLayout(roomsShapes(false)[0] as RoomsShape, { nickPrefix: "r" });
    expect(specs.every((c) => c.sender)).toBe(true);
    expect(specs.every((c) => c.offset >= 0 && c.offset < 1)).toBe(true);
    expect(new Set(specs.map((c) => c.offset)).size).toBe(specs.length);
    expect(new Set(specs.map((c) => c.nick)).size).toBe(specs.length);
    expect(specs.every((c) => c.alsoRooms === undefined)).toBe(true);
  });

  test("source addresses: at most --per-ip clients per address, never the servers' 127.0.0.1", () => {
    const specs = roomsLayout(roomsShapes(false)[1] as RoomsShape, {
      nickPrefix: "r",
      srcPerAddress: 10,
    });
    const perAddress = new Map<string, number>();
    for (const c of specs) perAddress.set(c.src ?? "", (perAddress.get(c.src ?? "") ?? 0) + 1);
    expect(perAddress.has("127.0.0.1")).toBe(false);
    expect(perAddress.has("")).toBe(false);
    expect(Math.max(...perAddress.values())).toBe(10);
    expect(perAddress.size).toBe(1000);
  });

  test("a shape that cannot be laid out is refused with the reason", () => {
    expect(() => checkShape({ rooms: 10, members: 10, clients: 95, roomsPerClient: 1 })).toThrow(
      /do not split/,
    );
    expect(() => checkShape({ rooms: 30, members: 10, clients: 100, roomsPerClient: 2 })).toThrow(
      /make 20 rooms/,
    );
    expect(() => checkShape({ rooms: 16, members: 10, clients: 80, roomsPerClient: 2 })).toThrow(
      /at least 100 clients/,
    );
  });

  test("chat's per-address cap is raised to the clients (as the peers' configs allow)", () => {
    const [, large] = roomsShapes(false);
    expect(roomsChatArgs(large as RoomsShape)).toEqual(["--max-per-ip", "10000"]);
  });
});

describe("(b) in the report", () => {
  const [small, large] = roomsShapes(false) as [RoomsShape, RoomsShape];

  test("one row per size per server, with the generator's verdict", () => {
    const lines = roomsSection(
      [
        { shape: small, servers: { chat: roomsResult(small, 4), inspircd: "failed: boom" } },
        { shape: large, servers: { chat: roomsResult(large, 30, false) } },
      ],
      NAMES,
    );
    const rows = lines.filter((l) => l.startsWith("| 500 rooms") || l.startsWith("| 2,000 rooms"));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain("| chat | 5000/5000 |");
    expect(rows[0]).toMatch(/\| yes \|$/);
    expect(rows[1]).toContain("| InspIRCd | failed: boom |");
    expect(rows[2]).toContain("2,000 rooms of 10 (10,000 clients in 2 rooms each)");
    expect(rows[2]).toContain("**no**: worker 0 at 97% of a core");
  });

  test("the summary has a row per size against the 20 ms target", () => {
    const md = renderReport(
      results({
        roomsRuns: [
          {
            shape: small,
            servers: { chat: roomsResult(small, 4), inspircd: roomsResult(small, 40) },
          },
          { shape: large, servers: { chat: roomsResult(large, 25, false) } },
        ],
      }),
    );
    const summary = summaryLines(md).filter((l) => l.startsWith("| (b)"));
    expect(summary).toHaveLength(2);
    expect(summary[0]).toMatch(
      /^\| \(b\) 500 rooms of 10 .*\| 4\.0 ms \| 40\.0 ms \|.*\| 0\.10x \|.*\| yes \|$/,
    );
    expect(summary[1]).toContain("(b) 2,000 rooms of 10 (10,000 clients in 2 rooms each)");
    expect(summary[1]).toMatch(/\| \*\*no\*\* \(generator did not keep up: see \(b\)\) \|$/);
  });

  test("an older result file (only `rooms`) still renders as 500 rooms", () => {
    const md = renderReport(results({ rooms: { chat: roomsResult(small, 4) } }));
    expect(summaryLines(md).filter((l) => l.startsWith("| (b) 500 rooms of 10"))).toHaveLength(1);
  });
});
