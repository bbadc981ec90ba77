/**
 * The send queue and the once-per-turn flush: the server's main performance rule
 * (coalesced writes) and its slow-consumer defence (the byte cap).
 */
import { describe, expect, test } from "bun:test";
import {
  BUSY_FLUSH_SOCKETS,
  type ByteSink,
  FlushScheduler,
  SendQueue,
} from "../../../src/transport/output.ts";

/** A socket that accepts at most `room` bytes per write until given more. */
class FakeSink implements ByteSink {
  writes: Uint8Array[] = [];
  ended = false;
  constructor(public room = Number.POSITIVE_INFINITY) {}
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.room);
    this.room -= n;
    this.writes.push(data.slice(0, n));
    return n;
  }
  end(): void {
    this.ended = true;
  }
  text(): string {
    return this.writes.map((w) => new TextDecoder().decode(w)).join("");
  }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("SendQueue + FlushScheduler", () => {
  test("many sends in one turn become one write per socket, after the store flush", async () => {
    const order: string[] = [];
    const scheduler = new FlushScheduler(() => order.push("store.flush"));
    const a = new FakeSink();
    const b = new FakeSink();
    const qa = new SendQueue(
      {
        write: (d) => {
          order.push("write a");
          return a.write(d);
        },
        end: () => a.end(),
      },
      scheduler,
      1 << 20,
    );
    const qb = new SendQueue(b, scheduler, 1 << 20);
    for (let i = 0; i < 100; i++) {
      qa.push(bytes(`line ${i}\r\n`));
      qb.push(bytes(`line ${i}\r\n`));
    }
    expect(a.writes.length).toBe(0); // nothing is written synchronously
    await turn();
    expect(a.writes.length).toBe(1);
    expect(b.writes.length).toBe(1);
    expect(order).toEqual(["store.flush", "write a"]);
    expect(a.text().split("\r\n").length).toBe(101);
  });

  test("a partial write keeps the rest and sends it on drain, in order", async () => {
    const scheduler = new FlushScheduler();
    const sink = new FakeSink(5);
    const q = new SendQueue(sink, scheduler, 1 << 20);
    q.push(bytes("hello "));
    q.push(bytes("world\r\n"));
    await turn();
    expect(sink.text()).toBe("hello");
    expect(q.queuedBytes).toBe(8);
    // More output while blocked waits for drain rather than being written now.
    q.push(bytes("again\r\n"));
    await turn();
    expect(sink.text()).toBe("hello");
    sink.room = Number.POSITIVE_INFINITY;
    q.drained();
    expect(sink.text()).toBe("hello world\r\nagain\r\n");
    expect(q.queuedBytes).toBe(0);
  });

  test("a partial write's remainder survives other sockets' flushes (shared join buffer)", async () => {
    const scheduler = new FlushScheduler();
    const slow = new FakeSink(3);
    const other = new FakeSink();
    const qs = new SendQueue(slow, scheduler, 1 << 20);
    const qo = new SendQueue(other, scheduler, 1 << 20);
    qs.push(bytes("abc"));
    qs.push(bytes("def\r\n"));
    await turn();
    qo.push(bytes("XXXXXXXX"));
    qo.push(bytes("YYYYYYYY\r\n"));
    await turn();
    expect(other.text()).toBe("XXXXXXXXYYYYYYYY\r\n");
    slow.room = Number.POSITIVE_INFINITY;
    qs.drained();
    expect(slow.text()).toBe("abcdef\r\n");
  });

  test("the byte cap refuses more once the peer stops reading", async () => {
    const scheduler = new FlushScheduler();
    const sink = new FakeSink(0);
    const q = new SendQueue(sink, scheduler, 100);
    expect(q.push(new Uint8Array(60))).toBe(true);
    await turn();
    expect(q.push(new Uint8Array(30))).toBe(true);
    expect(q.push(new Uint8Array(30))).toBe(false);
    expect(q.overflowed).toBe(true);
  });

  test("closeAfterFlush writes the last words, then ends the socket", async () => {
    const scheduler = new FlushScheduler();
    const sink = new FakeSink();
    const q = new SendQueue(sink, scheduler, 1 << 20);
    q.push(bytes("a\r\n"));
    q.closeAfterFlush(bytes("ERROR :bye\r\n"));
    q.push(bytes("ignored\r\n"));
    await turn();
    expect(sink.text()).toBe("a\r\nERROR :bye\r\n");
    expect(sink.ended).toBe(true);
  });
});

test("under fan-out load (many sockets per flush) every byte still arrives, each turn's history committed before its writes", async () => {
  const order: string[] = [];
  const scheduler = new FlushScheduler(() => order.push("commit"));
  const n = BUSY_FLUSH_SOCKETS * 2;
  const sinks: FakeSink[] = [];
  const queues: SendQueue[] = [];
  for (let i = 0; i < n; i++) {
    const sink = new FakeSink();
    sinks.push(sink);
    queues.push(
      new SendQueue(
        {
          write: (d) => {
            order.push("write");
            return sink.write(d);
          },
          end: () => sink.end(),
        },
        scheduler,
        1 << 20,
      ),
    );
  }
  const rounds = 5;
  for (let r = 0; r < rounds; r++) {
    for (const q of queues) q.push(bytes(`msg ${r}\r\n`));
    // The flush after a busy one is deferred: give it event-driven chances, bounded.
    await turn();
  }
  const expected = Array.from({ length: rounds }, (_, r) => `msg ${r}\r\n`).join("");
  const deadline = Date.now() + 5000;
  while (sinks.some((s) => s.text() !== expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
  for (const s of sinks) expect(s.text()).toBe(expected);
  // Every batch of writes is preceded by a commit: no client sees an uncommitted line.
  expect(order[0]).toBe("commit");
  let commits = 0;
  let writesSinceCommit = 0;
  for (const e of order) {
    if (e === "commit") {
      commits++;
      writesSinceCommit = 0;
    } else {
      writesSinceCommit++;
      expect(writesSinceCommit).toBeLessThanOrEqual(n); // one write per socket per flush
    }
  }
  expect(commits).toBeGreaterThanOrEqual(1);
  expect(order.filter((e) => e === "write").length).toBeLessThanOrEqual(n * rounds);
});

test("a sink that throws is dropped and the other sockets still get their bytes", async () => {
  const scheduler = new FlushScheduler();
  const good = new FakeSink();
  let ended = false;
  const bad: ByteSink = {
    write() {
      throw new Error("socket exploded");
    },
    end() {
      ended = true;
    },
  };
  const qb = new SendQueue(bad, scheduler, 1 << 20);
  const qg = new SendQueue(good, scheduler, 1 << 20);
  const quiet = console.error;
  console.error = () => {};
  try {
    qb.push(bytes("x\r\n"));
    qg.push(bytes("y\r\n"));
    await turn();
  } finally {
    console.error = quiet;
  }
  expect(good.text()).toBe("y\r\n");
  expect(qb.closed).toBe(true);
  expect(ended).toBe(true);
});
