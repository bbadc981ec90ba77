/**
 * `/metrics` and `/healthz` on a real server: what users do shows up in the
 * numbers a scraper reads (connections, messages, deliveries, bytes,
 * refusals, flood cut-offs, history commits), and the text parses.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { type MetricsServer, startMetrics } from "../../../src/metrics/http.ts";
import { OperCredentials } from "../../../src/security/password.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { parsePrometheus, sampleValue } from "../../helpers/prometheus.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { WsClient } from "../../helpers/ws-client.ts";

let server: TestServer | undefined;
let metrics: MetricsServer | undefined;
const extra: TestClient[] = [];

afterEach(async () => {
  metrics?.stop();
  metrics = undefined;
  for (const c of extra.splice(0)) c.close();
  await server?.stop();
  server = undefined;
});

async function scrape(m: MetricsServer) {
  const res = await fetch(`http://127.0.0.1:${m.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return parsePrometheus(await res.text());
}

async function sync(c: TestClient): Promise<void> {
  c.send("PING :sync");
  await c.expect(/PONG .*sync/);
}

describe("metrics", () => {
  test("a browser's WebSocket counts as the web front, not as irc", async () => {
    server = await startTestServer();
    metrics = startMetrics({ host: "127.0.0.1", port: 0, core: server.running.core, version: "t" });
    const web = await WsClient.connect(`ws://127.0.0.1:${server.port}/`, {
      protocols: ["text.ircv3.net"],
    });
    await web.register("browser");
    const tcp = await server.client("terminal");
    await sync(tcp);
    const m = await scrape(metrics);
    expect(sampleValue(m, "chat_connections", { front: "web", tls: "false" })).toBe(1);
    expect(sampleValue(m, "chat_connections", { front: "irc", tls: "false" })).toBe(1);
    web.close();
  });

  test("connections, users, rooms, messages, deliveries and bytes follow what users do", async () => {
    server = await startTestServer();
    metrics = startMetrics({ host: "127.0.0.1", port: 0, core: server.running.core, version: "t" });
    const before = await scrape(metrics);
    expect(sampleValue(before, "chat_connections", { front: "irc", tls: "false" })).toBe(0);
    expect(sampleValue(before, "chat_messages_received_total")).toBe(0);

    const alice = await server.client("alice");
    const bob = await server.client("bob");
    const carol = await server.client("carol");
    for (const c of [alice, bob, carol]) {
      c.send("JOIN #room");
      await c.expect(/ 366 /);
    }
    alice.send("PRIVMSG #room :hello both");
    await bob.expect(/hello both/);
    await carol.expect(/hello both/);
    await sync(alice);

    const after = await scrape(metrics);
    expect(sampleValue(after, "chat_connections", { front: "irc", tls: "false" })).toBe(3);
    expect(sampleValue(after, "chat_connections", { front: "irc", tls: "true" })).toBe(0);
    expect(sampleValue(after, "chat_connections_accepted_total")).toBe(3);
    expect(sampleValue(after, "chat_registered_users")).toBe(3);
    expect(sampleValue(after, "chat_rooms")).toBe(1);
    expect(sampleValue(after, "chat_messages_received_total")).toBe(1);
    expect(sampleValue(after, "chat_history_appends_total")).toBe(1);
    // The message reached bob and carol; the JOINs were delivered too.
    const deliveries = sampleValue(after, "chat_deliveries_total") ?? 0;
    expect(deliveries).toBeGreaterThanOrEqual(2 + 6);
    expect(sampleValue(after, "chat_received_bytes_total")).toBeGreaterThan(100);
    expect(sampleValue(after, "chat_sent_bytes_total")).toBeGreaterThan(
      sampleValue(after, "chat_received_bytes_total") ?? 0,
    );
    expect(sampleValue(after, "chat_history_flush_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sampleValue(after, "chat_info", { version: "t" })).toBe(1);

    bob.close();
    await alice.expect(/:bob!\S+ QUIT/);
    const gone = await scrape(metrics);
    expect(sampleValue(gone, "chat_connections", { front: "irc", tls: "false" })).toBe(2);
    expect(sampleValue(gone, "chat_registered_users")).toBe(2);
  });

  test("refused connections are counted by reason, and flood cut-offs", async () => {
    server = await startTestServer({
      limits: { maxConnectionsPerIp: 1, floodBurst: 2, floodRate: 0.1, floodBacklog: 3 },
    });
    metrics = startMetrics({ host: "127.0.0.1", port: 0, core: server.running.core, version: "t" });
    const flooder = await TestClient.connect(server.port);
    extra.push(flooder);
    const second = await TestClient.connect(server.port);
    extra.push(second);
    await second.expect(/^ERROR :Too many connections from your address/);
    for (let i = 0; i < 20; i++) flooder.send(`PING :${i}`);
    await flooder.waitClosed();
    const m = await scrape(metrics);
    expect(sampleValue(m, "chat_connections_refused_total", { reason: "per_address" })).toBe(1);
    expect(sampleValue(m, "chat_connections_refused_total", { reason: "dline" })).toBe(0);
    expect(sampleValue(m, "chat_disconnects_total", { reason: "flood" })).toBe(1);
    expect(sampleValue(m, "chat_disconnects_total", { reason: "sendq" })).toBe(0);
  });

  test("server bans in force and operators online are shown", async () => {
    server = await startTestServer({
      opers: new OperCredentials([{ name: "root", password: "pw" }]).logins(),
    });
    metrics = startMetrics({ host: "127.0.0.1", port: 0, core: server.running.core, version: "t" });
    const root = await server.client("root");
    root.send("OPER root pw");
    await root.expect(/ 381 /);
    root.send("KLINE spammer :x");
    root.send("KLINE 5 troll :y");
    root.send("DLINE 192.0.2.0/24 :z");
    await sync(root);
    const m = await scrape(metrics);
    expect(sampleValue(m, "chat_operators")).toBe(1);
    expect(sampleValue(m, "chat_server_bans", { kind: "kline" })).toBe(2);
    expect(sampleValue(m, "chat_server_bans", { kind: "dline" })).toBe(1);
  });

  test("/healthz says ok while running; other paths are 404 with a hint", async () => {
    server = await startTestServer();
    metrics = startMetrics({ host: "127.0.0.1", port: 0, core: server.running.core, version: "t" });
    const ok = await fetch(`http://127.0.0.1:${metrics.port}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("ok\n");
    const nope = await fetch(`http://127.0.0.1:${metrics.port}/nope`);
    expect(nope.status).toBe(404);
    expect(await nope.text()).toContain("/metrics");
    await server.running.stop();
    const down = await fetch(`http://127.0.0.1:${metrics.port}/healthz`);
    expect(down.status).toBe(503);
  });

  test("a metrics port already taken is one clear error with exit status 2", async () => {
    server = await startTestServer();
    metrics = startMetrics({ host: "127.0.0.1", port: 0, core: server.running.core, version: "t" });
    const taken = metrics.port;
    let thrown: unknown;
    try {
      startMetrics({ host: "127.0.0.1", port: taken, core: server.running.core, version: "t" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(
      `cannot serve metrics on 127.0.0.1:${taken}: port ${taken} is already in use; pick another with --metrics HOST:PORT`,
    );
    expect((thrown as { exitCode?: number }).exitCode).toBe(2);
  });
});
