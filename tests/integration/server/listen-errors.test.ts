/**
 * What a host reads when `chat serve` cannot open its port: the reason and the
 * way out, not Bun's bare "Failed to listen".
 */
import { afterEach, expect, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { startServer } from "../../../src/cli/start-server.ts";
import { FatalError } from "../../../src/cli/usage-error.ts";
import { MemoryStore } from "../../../src/store/memory.ts";

let squatter: TCPSocketListener<undefined> | undefined;

afterEach(() => {
  squatter?.stop(true);
  squatter = undefined;
});

test("a port already in use says so and points at --port", () => {
  squatter = Bun.listen<undefined>({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = squatter.port;
  const store = new MemoryStore({ history: 10 });
  let caught: unknown;
  try {
    startServer({ host: "127.0.0.1", port, store });
  } catch (err) {
    caught = err;
  } finally {
    store.close();
  }
  expect(caught).toBeInstanceOf(FatalError);
  expect((caught as Error).message).toBe(
    `cannot listen on 127.0.0.1:${port}: port ${port} is already in use (another chat serve?); stop it or pick another port with --port`,
  );
});
