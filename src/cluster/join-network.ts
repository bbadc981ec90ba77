/**
 * `chat serve --redis`: connect the RedisBus, then attach a Cluster to the
 * core once the server is built (the core needs the bus first).
 */
import { RedisBus } from "../bus/redis.ts";
import type { Core } from "../core/core.ts";
import { ircFront } from "../fronts/irc/front.ts";
import { Cluster } from "./cluster.ts";

export interface Network {
  readonly bus: RedisBus;
  /** Attach this node to the network (hooks, hello, heartbeats). */
  start(core: Core): void;
  /** Tell the other nodes we are going (they drop our users now, not after the TTL). */
  leave(): Promise<void>;
  close(): void;
}

export async function joinNetwork(opts: {
  url: string;
  log: (line: string) => void;
  heartbeatMs?: number;
  nodeTtlMs?: number;
}): Promise<Network> {
  const bus = await RedisBus.connect({ url: opts.url, log: opts.log });
  let cluster: Cluster | undefined;
  return {
    bus,
    start(core) {
      cluster = new Cluster(core, bus, ircFront, {
        log: opts.log,
        ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
        ...(opts.nodeTtlMs !== undefined ? { nodeTtlMs: opts.nodeTtlMs } : {}),
      });
      cluster.start();
    },
    async leave() {
      cluster?.stop();
      await bus.flushed();
    },
    close() {
      bus.close();
    },
  };
}
