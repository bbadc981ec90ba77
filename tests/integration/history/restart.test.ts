/**
 * History across process lifetimes: `chat serve` child processes on a real
 * SQLite file, stopped with SIGTERM or killed with SIGKILL mid-stream, then
 * restarted on the same file.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClient } from "../../helpers/irc-client.ts";
import { serveCommand } from "../../helpers/serve-process.ts";
import { type ChildServer, killChild, startChildServer } from "./child-server.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-restart-"));
let n = 0;
const children: ChildServer[] = [];
const clients: TestClient[] = [];

async function child(db: string): Promise<ChildServer> {
  const c = await startChildServer(db);
  children.push(c);
  return c;
}

async function client(port: number, nick: string, caps: string[] = []): Promise<TestClient> {
  const c = await TestClient.connect(port);
  clients.push(c);
  await c.register(nick, { caps });
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const c of children.splice(0)) await killChild(c);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const HISTORY_CAPS = ["batch", "server-time", "message-tags", "draft/chathistory"];

/** Every message of `room` via CHATHISTORY LATEST then BEFORE, oldest first; at most `maxPages` pages. */
async function allHistory(c: TestClient, room: string, maxPages: number): Promise<string[]> {
  const texts: string[] = [];
  let command = `CHATHISTORY LATEST ${room} * 100`;
  for (let page = 0; page < maxPages; page++) {
    c.send(command);
    const open = await c.expect(/ BATCH \+\S+ chathistory /);
    const id = /BATCH \+(\S+)/.exec(open)?.[1] ?? "";
    const lines: { msgid: string; text: string }[] = [];
    for (let i = 0; i <= 100; i++) {
      const line = await c.expect(/./);
      if (line.includes(` BATCH -${id}`)) break;
      const msgid = /[@;]msgid=([^; ]+)/.exec(line)?.[1] ?? "";
      lines.push({ msgid, text: line.slice(line.indexOf(" :", line.indexOf(" PRIVMSG ")) + 2) });
    }
    if (lines.length === 0) return texts;
    texts.unshift(...lines.map((l) => l.text));
    command = `CHATHISTORY BEFORE ${room} msgid=${lines[0]?.msgid} 100`;
  }
  throw new Error(`more than ${maxPages} pages of history`);
}

describe("history survives the server process", () => {
  test("a clean stop (SIGTERM) keeps every message, in order, and the room's state", async () => {
    const db = join(dir, `clean${++n}.db`);
    const a = await child(db);
    const alice = await client(a.port, "alice");
    const bob = await client(a.port, "bob");
    alice.send("JOIN #keep");
    await alice.expect(/ 366 alice #keep /);
    alice.send("TOPIC #keep :what we keep");
    alice.send("MODE #keep +k sesame");
    alice.send("MODE #keep +l 42");
    alice.send("MODE #keep +b troll!*@*");
    await alice.expect(/MODE #keep \+b troll!\*@\*/);
    bob.send("JOIN #keep sesame");
    await bob.expect(/ 366 bob #keep /);
    for (let i = 1; i <= 30; i++) alice.send(`PRIVMSG #keep :keep ${i}`);
    await bob.expect(/PRIVMSG #keep :keep 30$/);

    a.proc.kill("SIGTERM");
    expect(await a.exited).toBe(0);

    const b = await child(db);
    // Without chathistory: the topic and the last 20 lines on join, in order.
    const carol = await client(b.port, "carol");
    carol.send("JOIN #keep sesame");
    await carol.expect(/ 332 carol #keep :what we keep$/);
    await carol.expect(/ 366 carol #keep /);
    for (let i = 11; i <= 30; i++) await carol.expect(new RegExp(`PRIVMSG #keep :keep ${i}$`));
    carol.send("MODE #keep");
    const modes = await carol.expect(/ 324 carol #keep /);
    expect(modes).toMatch(/ \+[a-z]*k[a-z]*l[a-z]*/);
    expect(modes).toContain("sesame");
    expect(modes).toContain("42");
    carol.send("MODE #keep +b");
    await carol.expect(/ 367 carol #keep troll!\*@\* /);
    // The key still keeps others out.
    const dave = await client(b.port, "dave");
    dave.send("JOIN #keep");
    await dave.expect(/ 475 dave #keep /);
    // With chathistory: all 30, in order.
    const erin = await client(b.port, "erin", HISTORY_CAPS);
    erin.send("JOIN #keep sesame");
    await erin.expect(/ 366 erin #keep /);
    expect(await allHistory(erin, "#keep", 5)).toEqual(
      Array.from({ length: 30 }, (_, i) => `keep ${i + 1}`),
    );
  });

  test("kill -9 mid-stream: every message a client saw is there after restart, in order, once", async () => {
    const db = join(dir, `crash${++n}.db`);
    const a = await child(db);
    const receiver = await client(a.port, "receiver");
    const sender = await client(a.port, "sender");
    receiver.send("JOIN #crash");
    await receiver.expect(/ 366 receiver #crash /);
    sender.send("JOIN #crash");
    await sender.expect(/ 366 sender #crash /);

    // Stream until the receiver has seen 500, then kill the server while the
    // sender is still going. Bounded: 20,000 lines or 20 s, whichever first.
    const MAX = 20_000;
    let stop = false;
    const streaming = (async () => {
      const started = Date.now();
      for (let next = 1; next <= MAX && !stop && Date.now() - started < 20_000; next += 20) {
        let chunk = "";
        for (let k = next; k < next + 20; k++) chunk += `PRIVMSG #crash :crash ${k}\r\n`;
        try {
          sender.sendRaw(chunk);
        } catch {
          return; // the server is gone
        }
        await Bun.sleep(1);
      }
    })();
    await receiver.expect(/PRIVMSG #crash :crash 500$/, 20_000);
    a.proc.kill(9);
    stop = true;
    await streaming;
    await receiver.waitClosed(10_000);
    await a.exited;
    expect(a.proc.signalCode).toBe("SIGKILL");

    const seen: number[] = [];
    for (const line of receiver.lines) {
      const m = /PRIVMSG #crash :crash (\d+)$/.exec(line);
      if (m !== null) seen.push(Number(m[1]));
    }
    expect(seen.length).toBeGreaterThanOrEqual(500);

    const b = await child(db);
    const reader = await client(b.port, "reader", HISTORY_CAPS);
    reader.send("JOIN #crash");
    await reader.expect(/ 366 reader #crash /);
    const stored = (await allHistory(reader, "#crash", MAX / 100 + 2)).map((t) =>
      Number(/^crash (\d+)$/.exec(t)?.[1]),
    );
    // In order and without duplicates: strictly increasing.
    for (let i = 1; i < stored.length; i++) {
      expect(stored[i] as number).toBeGreaterThan(stored[i - 1] as number);
    }
    const kept = new Set(stored);
    const missing = seen.filter((x) => !kept.has(x));
    expect(missing).toEqual([]);
  });

  test("after a restart, an nc user arriving in #lobby is shown its recent lines as history", async () => {
    const db = join(dir, `plain${++n}.db`);
    const a = await child(db);
    const alice = await client(a.port, "alice");
    const watcher = await client(a.port, "watcher");
    for (const c of [alice, watcher]) c.send("JOIN #lobby");
    await watcher.expect(/ 366 watcher #lobby /);
    for (let i = 1; i <= 3; i++) alice.send(`PRIVMSG #lobby :lobby line ${i}`);
    await watcher.expect(/PRIVMSG #lobby :lobby line 3$/);
    a.proc.kill("SIGTERM");
    expect(await a.exited).toBe(0);

    const b = await child(db);
    const human = await TestClient.connect(b.port);
    clients.push(human);
    human.send("visitor");
    await human.expect(/^\*\*\* Recent messages in #lobby \(history\):$/);
    for (let i = 1; i <= 3; i++) {
      await human.expect(new RegExp(`^\\[history\\] .*<alice> lobby line ${i}$`));
    }
    await human.expect("*** End of history.");
  });

  test(":memory: keeps nothing across a restart", async () => {
    const a = await child(":memory:");
    const alice = await client(a.port, "alice");
    alice.send("JOIN #gone");
    await alice.expect(/ 366 alice #gone /);
    alice.send("PRIVMSG #gone :forget me");
    alice.send("TOPIC #gone :temporary");
    await alice.expect(/TOPIC #gone :temporary/);
    a.proc.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    const b = await child(":memory:");
    const bob = await client(b.port, "bob", HISTORY_CAPS);
    bob.send("JOIN #gone");
    await bob.expect(/ 366 bob #gone /);
    expect(bob.lines.some((l) => l.includes("temporary"))).toBe(false);
    expect(await allHistory(bob, "#gone", 2)).toEqual([]);
  });

  test("a corrupt database file stops the server at start with one clear line", async () => {
    const db = join(dir, `corrupt${++n}.db`);
    await Bun.write(db, "definitely not an SQLite database\n".repeat(100));
    const proc = Bun.spawn(serveCommand(["--db", db]), {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => proc.kill(9), 15_000);
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    clearTimeout(timer);
    expect(code).toBe(1);
    const lines = err.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(db);
    expect(lines[0]).toContain("not a database");
  });
});
