/**
 * `chat join` keeps its nick: the first connection claims it with a generated
 * secret (stored 0600), and after the server restarts on the same database
 * the client reconnects, proves it, and keeps it while another client is
 * refused it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { TestClient } from "../../helpers/irc-client.ts";
import {
  ensureBinary,
  makeHome,
  type PtyClient,
  type ServerProc,
  spawnPty,
  startServer,
} from "./harness.ts";

const home = makeHome();
let client: PtyClient | undefined;
let server: ServerProc | undefined;

beforeAll(() => {
  ensureBinary();
}, 120_000);

afterAll(async () => {
  client?.kill();
  await server?.stop();
  home.cleanup();
});

test("chat join reconnects after a server restart and keeps its nick; another client is refused it", async () => {
  const db = join(home.dir, "owned.db");
  server = await startServer(home.env, ["--db", db]);
  const port = server.port;
  client = spawnPty(["join", `127.0.0.1:${port}`, "--nick", "olive"], home.env);
  await client.waitFor("* olive joined #lobby");
  const secrets = join(home.dir, "config", "chat", "secrets.json");
  expect(statSync(secrets).mode & 0o777).toBe(0o600);

  client.type("/secret\r");
  await client.waitFor(/your secret for olive: [A-Za-z0-9_-]{32} \(anyone who has it/);

  await server.stop();
  server = await startServer(home.env, ["--db", db], port);
  await client.waitFor(/reconnected to 127\.0\.0\.1:\d+ as olive/, 20_000);

  const other = await TestClient.connect(port);
  other.send("NICK olive");
  other.send("USER x 0 * :x");
  await other.expect(/ 433 \* olive /);
  other.send("NICK olive2");
  await other.expect(/ 001 olive2 /);
  other.send("WHOIS olive");
  await other.expect(/ 330 olive2 olive olive :is logged in as/);
  other.close();

  // Once chat join has gone, the nick is still refused: it is claimed, not merely in use.
  client.kill();
  // The server notices the killed client's socket close soon after; bounded retries.
  let refusal = "";
  for (let i = 0; i < 30 && !refusal.includes("claimed"); i++) {
    const late = await TestClient.connect(port);
    late.send("NICK olive");
    late.send("USER y 0 * :y");
    refusal = await late.expect(/ 433 \* olive /);
    if (refusal.includes("claimed")) await late.expect(/ NOTE NICK CLAIMED olive /);
    late.close();
    if (!refusal.includes("claimed")) await Bun.sleep(100);
  }
  expect(refusal).toMatch(/ 433 \* olive :Nickname olive is claimed/);
}, 60_000);

test("the same user's second chat join takes the nick over; the first ends with one line and does not fight back", async () => {
  const s = await startServer(home.env);
  try {
    const first = spawnPty(["join", `127.0.0.1:${s.port}`, "--nick", "tom"], home.env);
    await first.waitFor("* tom joined #lobby");
    const second = spawnPty(["join", `127.0.0.1:${s.port}`, "--nick", "tom"], home.env);
    await second.waitFor("* tom joined #lobby");
    expect(await first.exited()).not.toBe(0);
    expect(first.raw()).toContain("from somewhere else; this session ends here");
    second.type("still here\r");
    await second.waitFor("<tom> still here");
    second.kill();
  } finally {
    await s.stop();
  }
}, 60_000);
