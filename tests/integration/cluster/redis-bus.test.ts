/**
 * RedisBus against a real redis-server: the bus contract, events crossing
 * between two buses (two nodes) in one order, and a Redis restart in the
 * middle of a stream (nothing lost, nothing twice).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { MessageEvent } from "../../../src/bus/events.ts";
import { RedisBus, redact } from "../../../src/bus/redis.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";
import { runBusContract } from "../../unit/core/bus.contract.ts";

let redis: TestRedis;
let n = 0;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

const msg = (text: string, target = "#r"): MessageEvent => ({
  source: "a!~a@h",
  time: 1,
  origin: { node: "n", conn: 1 },
  type: "message",
  command: "PRIVMSG",
  target,
  text,
  msgid: text,
});

/** Every test gets its own key prefix, so no test sees another's streams. */
const connect = (prefix = `t${++n}:`): Promise<RedisBus> =>
  RedisBus.connect({ url: redis.url, prefix, blockMs: 200 });

runBusContract("RedisBus", () => connect());

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (let i = 0; i < ms / 10 && !cond(); i++) await Bun.sleep(10);
}

test("every node sees every event; nodes that only read see one and the same order", async () => {
  const prefix = `two${++n}:`;
  const a = await connect(prefix);
  const b = await connect(prefix);
  const watchers = [await connect(prefix), await connect(prefix)];
  const text = (e: { type: string }): string =>
    e.type === "message" ? (e as MessageEvent).text : "";
  const seen = [a, b, ...watchers].map((bus) => {
    const got: string[] = [];
    bus.subscribe("#r", (e) => got.push(text(e)));
    return got;
  });
  for (let i = 0; i < 50; i++) {
    a.publish("#r", msg(`a${i}`));
    b.publish("#r", msg(`b${i}`));
  }
  await until(() => seen.every((s) => s.length >= 100));
  const inOrder = (p: string): string[] => Array.from({ length: 50 }, (_, i) => `${p}${i}`);
  for (const s of seen) {
    expect(s.length).toBe(100);
    // Each node's own events keep their order everywhere.
    expect(s.filter((t) => t.startsWith("a"))).toEqual(inOrder("a"));
    expect(s.filter((t) => t.startsWith("b"))).toEqual(inOrder("b"));
  }
  expect(seen[3]).toEqual(seen[2] as string[]);
  for (const bus of [a, b, ...watchers]) bus.close();
});

test("the publishing node delivers at once, in the same turn, like the in-process bus", async () => {
  const a = await connect();
  const got: string[] = [];
  a.subscribe("#r", (e) => got.push((e as MessageEvent).text));
  a.publish("#r", msg("now"));
  expect(got).toEqual(["now"]);
  await Bun.sleep(100);
  expect(got).toEqual(["now"]);
  a.close();
});

test("control records reach the other nodes only", async () => {
  const prefix = `ctl${++n}:`;
  const a = await connect(prefix);
  const b = await connect(prefix);
  const atA: unknown[] = [];
  const atB: unknown[] = [];
  a.onControl((r) => atA.push(r));
  b.onControl((r) => atB.push(r));
  const tapped: string[] = [];
  b.tap((t) => tapped.push(t));
  a.control({ kind: "beat", node: "x" });
  await until(() => atB.length >= 1);
  expect(atB).toEqual([{ kind: "beat", node: "x" }]);
  expect(atA).toEqual([]);
  expect(tapped).toEqual([]);
  a.close();
  b.close();
});

test("a node's tap sees the whole network, private topics included", async () => {
  const prefix = `tap${++n}:`;
  const a = await connect(prefix);
  const b = await connect(prefix);
  const tapped: string[] = [];
  b.tap((topic, e) => tapped.push(`${topic}:${e.type}`));
  a.publish("#x", msg("1", "#x"));
  a.publish("bob", msg("2", "bob"));
  await until(() => tapped.length >= 2);
  expect(tapped.sort()).toEqual(["#x:message", "bob:message"]);
  a.close();
  b.close();
});

test("a Redis restart mid-stream loses nothing and delivers nothing twice", async () => {
  const own = await startTestRedis();
  const logs: string[] = [];
  const a = await RedisBus.connect({ url: own.url, blockMs: 200, log: (l) => logs.push(l) });
  const b = await RedisBus.connect({ url: own.url, blockMs: 200 });
  const got: string[] = [];
  b.subscribe("#r", (e) => got.push((e as MessageEvent).text));
  for (let i = 0; i < 20; i++) a.publish("#r", msg(`m${i}`));
  await until(() => got.length >= 20);
  await own.kill();
  // Published while Redis is down: held in the outbox, sent after it returns.
  for (let i = 20; i < 40; i++) a.publish("#r", msg(`m${i}`));
  await Bun.sleep(300);
  await own.start();
  for (let i = 40; i < 60; i++) a.publish("#r", msg(`m${i}`));
  await until(() => got.length >= 60, 10_000);
  await Bun.sleep(200);
  expect(got).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`));
  expect(logs.some((l) => l.includes("lost Redis"))).toBe(true);
  expect(logs.some((l) => l.includes("Redis is back"))).toBe(true);
  a.close();
  b.close();
  await own.stop();
}, 30_000);

test("an unreachable Redis is a clear error naming the address, without the password", async () => {
  const err = await RedisBus.connect({ url: "redis://u:secret@127.0.0.1:1" }).catch(
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toContain("cannot reach Redis at redis://u:***@127.0.0.1:1");
  expect((err as Error).message).not.toContain("secret");
  expect(redact("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
});
