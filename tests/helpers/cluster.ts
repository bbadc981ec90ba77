/**
 * Nodes of one network for tests: each is a real server (startTestServer, port
 * 0, memory store) over its own RedisBus to the same redis-server, with a
 * Cluster started on it. Heartbeats are fast so node loss shows in a second.
 */
import { RedisBus } from "../../src/bus/redis.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import type { OperLogin } from "../../src/core/core.ts";
import { ircFront } from "../../src/fronts/irc/front.ts";
import type { TestRedis } from "./redis.ts";
import { startTestServer, type TestServer } from "./server.ts";

export interface TestNode extends TestServer {
  bus: RedisBus;
  cluster: Cluster;
  /** Gone without a word, as a kill -9 would be: no QUITs, no goodbye, heartbeats stop. */
  crash(): Promise<void>;
}

export const FAST = { heartbeatMs: 100, nodeTtlMs: 600 };

export async function startNode(
  redis: TestRedis,
  opts: { prefix?: string; heartbeatMs?: number; nodeTtlMs?: number; opers?: OperLogin[] } = {},
): Promise<TestNode> {
  const prefix = opts.prefix ?? "chat:";
  const logs: string[] = [];
  const bus = await RedisBus.connect({
    url: redis.url,
    prefix,
    blockMs: 200,
    log: (l) => logs.push(l),
  });
  const t = await startTestServer({ bus, ...(opts.opers ? { opers: opts.opers } : {}) });
  const cluster = new Cluster(t.running.core, bus, ircFront, {
    prefix,
    heartbeatMs: opts.heartbeatMs ?? FAST.heartbeatMs,
    nodeTtlMs: opts.nodeTtlMs ?? FAST.nodeTtlMs,
    log: (l) => t.logs.push(l),
  });
  cluster.start();
  let stopped = false;
  return {
    ...t,
    bus,
    cluster,
    async stop() {
      if (stopped) return;
      stopped = true;
      cluster.stop();
      await bus.flushed();
      await t.stop();
      bus.close();
    },
    async crash() {
      if (stopped) return;
      stopped = true;
      // Cut Redis first, so nothing of the shutdown reaches the other nodes.
      bus.close();
      cluster.stop();
      await t.stop();
    },
  };
}

/** Wait (bounded) until `cond` holds. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (let i = 0; i < ms / 10 && !cond(); i++) await Bun.sleep(10);
}
