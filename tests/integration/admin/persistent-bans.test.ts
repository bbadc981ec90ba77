/**
 * Moderation that lasts: K-lines, D-lines and address lockouts written to the
 * history database survive a restart on the same file; expired ones do not.
 * Each server here is a real one on 127.0.0.1 with a real SQLite file, stopped
 * and started again in this process.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type RunningServer,
  type StartOptions,
  startServer,
} from "../../../src/cli/start-server.ts";
import { OperCredentials } from "../../../src/security/password.ts";
import { SqliteModeration } from "../../../src/store/sqlite/moderation.ts";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import { TestClient } from "../../helpers/irc-client.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-bans-"));
const creds = new OperCredentials([{ name: "root", password: "correct horse" }]);
let n = 0;

interface Node {
  running: RunningServer;
  stop(): Promise<void>;
}
const nodes: Node[] = [];
const clients: TestClient[] = [];

function boot(db: string, extra: Partial<StartOptions> = {}): Node {
  const store = new SqliteStore({ path: db, history: 100, integrityCheck: false });
  const moderation = new SqliteModeration(db, () => {});
  const running = startServer({
    host: "127.0.0.1",
    port: 0,
    store,
    moderation,
    opers: creds.logins(),
    plainFront: null,
    ...extra,
  });
  const node = {
    running,
    async stop() {
      await running.stop();
      moderation.close();
      store.close();
    },
  };
  nodes.push(node);
  return node;
}

async function restart(node: Node, db: string, extra: Partial<StartOptions> = {}): Promise<Node> {
  await node.stop();
  nodes.splice(nodes.indexOf(node), 1);
  return boot(db, extra);
}

async function connect(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  clients.push(c);
  return c;
}

async function operator(port: number): Promise<TestClient> {
  const op = await connect(port);
  await op.register("root");
  op.send("OPER root :correct horse");
  await op.expect(/ 381 /);
  return op;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const node of nodes.splice(0)) await node.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("server bans outlive a restart on the same database", () => {
  test("a K-line still refuses its user after a restart; UNKLINE lifts it for good", async () => {
    const db = join(dir, `k${n++}.db`);
    let node = boot(db);
    const op = await operator(node.running.port);
    op.send("KLINE spammer :selling things");
    await op.expect(/Banned spammer!\*@\* from the server \(selling things\)/);

    node = await restart(node, db);
    const back = await connect(node.running.port);
    back.send("NICK spammer");
    back.send("USER s 0 * :s");
    await back.expect(/ 465 .*selling things/);
    await back.waitClosed();
    // Someone else is fine.
    const other = await connect(node.running.port);
    await other.register("fine");

    // The list after the restart shows it, with who set it.
    const op2 = await operator(node.running.port);
    op2.send("KLINE");
    await op2.expect(/KLINE spammer!\*@\* by root: selling things/);
    op2.send("UNKLINE spammer");
    await op2.expect(/Lifted the ban on spammer!\*@\*/);

    node = await restart(node, db);
    const again = await connect(node.running.port);
    await again.register("spammer");
  });

  test("a D-line on our own address refuses connections after a restart, before a word is said", async () => {
    const db = join(dir, `d${n++}.db`);
    let node = boot(db);
    const op = await operator(node.running.port);
    op.send("DLINE 127.0.0.0/8 :no locals");
    // The operator who set it is exempt; after the restart nobody from here gets in.
    await op.expect(/Banned 127\.0\.0\.0\/8 from the server/);

    node = await restart(node, db);
    const c = await connect(node.running.port);
    await c.expect(/^ERROR :You are banned from this server: no locals$/);
    await c.waitClosed();
  });

  test("a timed K-line says until when, and an expired one does not hold after a restart", async () => {
    const db = join(dir, `t${n++}.db`);
    let node = boot(db);
    const op = await operator(node.running.port);
    op.send("KLINE 30 troll :cool off");
    await op.expect(/Banned troll!\*@\* from the server for 30 minutes \(cool off\)/);
    op.send("KLINE");
    await op.expect(/KLINE troll!\*@\* by root until \d{4}-\d\d-\d\dT[\d:.]+Z: cool off/);
    await node.stop();
    nodes.splice(nodes.indexOf(node), 1);

    // Another ban that ran out a minute ago, written as the server would have.
    const m = new SqliteModeration(db, () => {});
    const now = Date.now();
    m.save({
      kind: "kline",
      pattern: "oldtimer!*@*",
      reason: "long ago",
      setBy: "root",
      setAt: now - 3_600_000,
      expiresAt: now - 60_000,
    });
    m.close();

    node = boot(db);
    const troll = await connect(node.running.port);
    troll.send("NICK troll");
    troll.send("USER t 0 * :t");
    await troll.expect(/ 465 .*cool off/);
    const old = await connect(node.running.port);
    await old.register("oldtimer");
    const op2 = await operator(node.running.port);
    op2.send("KLINE");
    await op2.expect(/KLINE troll!/);
    op2.send("PING :end");
    await op2.expect(/PONG .*end/);
    expect(op2.lines.some((l) => l.includes("oldtimer"))).toBe(false);
  });
});

describe("address lockouts outlive a restart", () => {
  test("too many wrong server passwords: still locked out after a restart", async () => {
    const db = join(dir, `p${n++}.db`);
    const opts: Partial<StartOptions> = {
      password: "sesame",
      limits: { passwordFailuresMax: 2, passwordFailuresWindowMs: 600_000 },
    };
    let node = boot(db, opts);
    for (let i = 0; i < 2; i++) {
      const c = await connect(node.running.port);
      c.send(`PASS guess${i}`);
      c.send(`NICK g${i}`);
      c.send("USER g 0 * :g");
      await c.expect(/ 464 /);
      await c.waitClosed();
    }
    node = await restart(node, db, opts);
    const locked = await connect(node.running.port);
    await locked.expect(
      /^ERROR :Too many wrong passwords from your address; try again in \d+ seconds$/,
    );
  });

  test("OPER attempts used up: still refused after a restart", async () => {
    const db = join(dir, `o${n++}.db`);
    const opts: Partial<StartOptions> = { limits: { operAttemptsPerIp: 2, operWindowMs: 600_000 } };
    let node = boot(db, opts);
    const c = await connect(node.running.port);
    await c.register("guesser");
    for (let i = 0; i < 2; i++) {
      c.send(`OPER root wrong${i}`);
      await c.expect(/ 464 /);
    }
    node = await restart(node, db, opts);
    const again = await connect(node.running.port);
    await again.register("guesser2");
    again.send("OPER root :correct horse");
    await again.expect(/Too many OPER attempts from your address/);
  });
});
