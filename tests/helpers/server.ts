/**
 * Start a real server on 127.0.0.1, port 0, with a memory store and optional
 * small limits; `stop()` frees everything. Use with TestClient.
 *
 *   const t = await startTestServer({ limits: { floodBurst: 5 } });
 *   const c = await TestClient.connect(t.port);
 *   ...
 *   await t.stop();   // in afterEach
 */
import { type RunningServer, type StartOptions, startServer } from "../../src/cli/start-server.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import type { HistoryStore } from "../../src/store/store.ts";
import { TestClient } from "./irc-client.ts";

export interface TestServer {
  port: number;
  running: RunningServer;
  store: HistoryStore;
  /** Log lines the server wrote (connect/disconnect and internal errors). */
  logs: string[];
  /** Connect a TestClient and register it with `nick`. */
  client(nick: string, opts?: Parameters<TestClient["register"]>[1]): Promise<TestClient>;
  stop(): Promise<void>;
}

export async function startTestServer(
  opts: Partial<Omit<StartOptions, "host" | "port">> = {},
): Promise<TestServer> {
  const store = opts.store ?? new MemoryStore({ history: 1000 });
  const logs: string[] = [];
  const running = startServer({
    host: "127.0.0.1",
    port: 0,
    log: (l) => logs.push(l),
    // Tests of IRC behaviour should not wait for human detection unless they ask for it.
    plainFront: null,
    ...opts,
    store,
  });
  const clients: TestClient[] = [];
  return {
    port: running.port,
    running,
    store,
    logs,
    async client(nick, regOpts) {
      const c = await TestClient.connect(running.port);
      clients.push(c);
      await c.register(nick, regOpts);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await running.stop();
      store.close();
    },
  };
}
