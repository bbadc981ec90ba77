/**
 * The send queue and the once-per-turn flush: the server's main performance rule
 * (coalesced writes) and its slow-consumer defence (the byte cap).
 */
import { describe, expect, test } from "bun:test";
import { type ByteSink, FlushScheduler, SendQueue } from "../../../src/transport/output.ts";

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
