/**
 * Issue 16's bus lag metric, with --redis: a node reports how long the last
 * event from another node took to reach it; a lone node has no such metric.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { type MetricsServer, startMetrics } from "../../../src/metrics/http.ts";
import { startNode, type TestNode, until } from "../../helpers/cluster.ts";
import { parsePrometheus, sampleValue } from "../../helpers/prometheus.ts";
import { startTestRedis, type TestRedis } from "../../helpers/redis.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let redis: TestRedis;
const nodes: TestNode[] = [];
let lone: TestServer | undefined;
const metrics: MetricsServer[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const m of metrics.splice(0)) m.stop();
  for (const node of nodes.splice(0)) await node.stop();
  await lone?.stop();
  lone = undefined;
});

async function scrape(m: MetricsServer) {
  const res = await fetch(`http://127.0.0.1:${m.port}/metrics`);
  return parsePrometheus(await res.text());
}

test("a node reports the bus lag of events from another node; a lone node has none", async () => {
  const a = await startNode(redis, { prefix: "lag:" });
  const b = await startNode(redis, { prefix: "lag:" });
  nodes.push(a, b);
  const mb = startMetrics({ host: "127.0.0.1", port: 0, core: b.running.core, version: "t" });
  metrics.push(mb);
  const alice = await a.client("alice");
  alice.send("JOIN #r");
  await alice.expect(/ 366 /);
  await until(() => (b.running.core.registry.room("#r")?.members.size ?? 0) > 0);
  const lag = sampleValue(await scrape(mb), "chat_bus_lag_seconds");
  expect(lag).toBeGreaterThanOrEqual(0);
  // Seconds, not milliseconds: one event over a local Redis is well under a minute.
  expect(lag).toBeLessThan(60);

  lone = await startTestServer();
  const ml = startMetrics({ host: "127.0.0.1", port: 0, core: lone.running.core, version: "t" });
  metrics.push(ml);
  expect(sampleValue(await scrape(ml), "chat_bus_lag_seconds")).toBeUndefined();
});
