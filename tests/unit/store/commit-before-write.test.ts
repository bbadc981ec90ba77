/**
 * The durability contract as the output side keeps it: history is committed
 * before any bytes reach a socket, including bytes that waited for `drain`.
 */
import { expect, test } from "bun:test";
import { type ByteSink, FlushScheduler, SendQueue } from "../../../src/transport/output.ts";

/** A socket that takes at most `room` bytes per write and records what happened, in order. */
class FakeSocket implements ByteSink {
  room = Number.POSITIVE_INFINITY;
  constructor(private readonly events: string[]) {}
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.room);
    this.events.push(`write ${new TextDecoder().decode(data.subarray(0, n))}`);
    return n;
  }
  end(): void {}
}

test("a turn's output is written only after the history commit", () => {
  const events: string[] = [];
  const scheduler = new FlushScheduler(() => events.push("commit"));
  const q = new SendQueue(new FakeSocket(events), scheduler, 1 << 20);
  q.push(new TextEncoder().encode("hello"));
  scheduler.run();
  expect(events).toEqual(["commit", "write hello"]);
});

test("bytes queued while the socket was full are written after a fresh commit on drain", () => {
  const events: string[] = [];
  const scheduler = new FlushScheduler(() => events.push("commit"));
  const socket = new FakeSocket(events);
  const q = new SendQueue(socket, scheduler, 1 << 20);
  socket.room = 2;
  q.push(new TextEncoder().encode("abcd"));
  scheduler.run(); // writes "ab", the socket is now full
  // A later turn appends a message and queues it behind the blocked bytes.
  q.push(new TextEncoder().encode("NEW"));
  socket.room = Number.POSITIVE_INFINITY;
  q.drained();
  expect(events).toEqual(["commit", "write ab", "commit", "write cdNEW"]);
});
