/**
 * The admin socket on a real server: a unix socket, mode 0600, one JSON line
 * each way. Real work (kick, ban) reaches the users it is about; bad requests
 * are answered and the connection stays usable.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "bun";
import { type AdminSocket, startAdminSocket } from "../../../src/admin/socket.ts";
import { adminRequest } from "../../../src/cli/admin-client.ts";
import { MemoryStore } from "../../../src/store/memory.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-admin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let server: TestServer | undefined;
const sockets: AdminSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.stop();
  await server?.stop();
  server = undefined;
});

async function setup(): Promise<{ s: TestServer; path: string }> {
  server = await startTestServer({ serverName: "chat.test" });
  const path = join(dir, `a${n++}.sock`);
  const admin = await startAdminSocket(path, server.running.core, () => {});
  if (admin === undefined) throw new Error("admin socket did not start");
  sockets.push(admin);
  return { s: server, path };
}

/** A raw line client on the unix socket, to send anything at all. */
async function raw(path: string) {
  const lines: string[] = [];
  let partial = "";
  let wake = (): void => {};
  const sock: Socket<undefined> = await Bun.connect({
    unix: path,
    socket: {
      data(_s, chunk) {
        partial += new TextDecoder().decode(chunk);
        const parts = partial.split("\n");
        partial = parts.pop() ?? "";
        lines.push(...parts);
        wake();
      },
    },
  });
  return {
    send(text: string) {
      sock.write(text);
    },
    async next(): Promise<{ ok: boolean; error?: string; result?: unknown }> {
      const deadline = Date.now() + 3000;
      while (lines.length === 0) {
        if (Date.now() > deadline) throw new Error("no answer within 3 s");
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
      return JSON.parse(lines.shift() as string);
    },
    close() {
      sock.end();
    },
  };
}

describe("admin socket", () => {
  test("is a socket file only its owner can use (mode 0600)", async () => {
    const { path } = await setup();
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  test("rooms and users show who is where", async () => {
    const { s, path } = await setup();
    const alice = await s.client("alice");
    alice.send("JOIN #lobby");
    alice.send("TOPIC #lobby :welcome");
    await alice.expect(/ TOPIC #lobby :welcome/);
    const rooms = await adminRequest(path, { cmd: "rooms" });
    expect(rooms).toMatchObject({
      ok: true,
      result: [{ name: "#lobby", users: 1, topic: "welcome" }],
    });
    expect((rooms as { result: unknown[] }).result).toHaveLength(1);
    const users = await adminRequest(path, { cmd: "users" });
    expect(users.ok).toBe(true);
    const list = (
      users as { result: { nick: string; rooms: string[]; ip: string; front: string }[] }
    ).result;
    expect(list.map((u) => [u.nick, u.rooms, u.ip, u.front])).toEqual([
      ["alice", ["#lobby"], "127.0.0.1", "irc"],
    ]);
  });

  test("kick takes the user out of the room, seen by everyone as from the server", async () => {
    const { s, path } = await setup();
    const alice = await s.client("alice");
    const bob = await s.client("bob");
    for (const c of [alice, bob]) {
      c.send("JOIN #lobby");
      await c.expect(/ 366 /);
    }
    expect(
      await adminRequest(path, { cmd: "kick", room: "#lobby", nick: "bob", reason: "spam" }),
    ).toEqual({
      ok: true,
      result: { room: "#lobby", nick: "bob" },
    });
    await alice.expect(/^:chat\.test KICK #lobby bob :spam$/);
    await bob.expect(/^:chat\.test KICK #lobby bob :spam$/);
    bob.send("PRIVMSG #lobby :back?");
    await bob.expect(/ 404 bob #lobby /);
    const again = await adminRequest(path, { cmd: "kick", room: "#lobby", nick: "bob" });
    expect(again).toEqual({ ok: false, error: "bob is not in #lobby" });
    expect(await adminRequest(path, { cmd: "kick", room: "#nope", nick: "bob" })).toEqual({
      ok: false,
      error: "no such room: #nope",
    });
  });

  test("ban K-lines a nick (removing them now) and D-lines an address; unban lifts", async () => {
    const { s, path } = await setup();
    const bob = await s.client("bob");
    const kl = await adminRequest(path, {
      cmd: "ban",
      pattern: "bob",
      reason: "flooding",
      minutes: 10,
    });
    expect(kl).toEqual({
      ok: true,
      result: { kind: "kline", pattern: "bob!*@*", removed: 1, minutes: 10 },
    });
    await bob.expect(/flooding/);
    await bob.waitClosed();
    const dl = await adminRequest(path, { cmd: "ban", pattern: "192.0.2.0/24" });
    expect(dl).toEqual({
      ok: true,
      result: { kind: "dline", pattern: "192.0.2.0/24", removed: 0 },
    });
    expect(s.running.core.admission.listBans("ip").map((b) => b.setBy)).toEqual(["admin"]);
    expect(await adminRequest(path, { cmd: "unban", pattern: "bob" })).toEqual({
      ok: true,
      result: { kind: "kline", pattern: "bob!*@*" },
    });
    expect(await adminRequest(path, { cmd: "unban", pattern: "bob" })).toEqual({
      ok: false,
      error: "no server ban on bob!*@*",
    });
    expect(await adminRequest(path, { cmd: "ban", pattern: "*!*@*" })).toEqual({
      ok: false,
      error: "refusing to ban everyone (*!*@*)",
    });
    for (const everyone of ["*", "0.0.0.0/0", "::/0"]) {
      expect(await adminRequest(path, { cmd: "ban", pattern: everyone })).toEqual({
        ok: false,
        error: `refusing to ban every address (${everyone})`,
      });
    }
    expect(s.running.core.admission.listBans("ip")).toHaveLength(1);
  });

  test("bad requests get a clear answer and the connection goes on working", async () => {
    const { path } = await setup();
    const c = await raw(path);
    const cases: [string, RegExp][] = [
      ["not json\n", /^not JSON/],
      ["[1,2]\n", /^a request is a JSON object/],
      ['{"cmd":"explode"}\n', /^unknown "cmd"; one of: rooms, users, kick, ban, unban$/],
      ['{"cmd":"kick","room":"#a"}\n', /^"nick" must be a non-empty string$/],
      ['{"cmd":"ban","pattern":"x","minutes":-3}\n', /"minutes" must be a whole number/],
      [`{"cmd":"rooms","pad":"${"x".repeat(70_000)}"}\n`, /^request over 65536 bytes$/],
    ];
    for (const [line, error] of cases) {
      c.send(line);
      const a = await c.next();
      expect(a.ok).toBe(false);
      expect(a.error ?? "").toMatch(error);
    }
    c.send('{"cmd":"rooms"}\n');
    expect(await c.next()).toEqual({ ok: true, result: [] });
    c.close();
  });

  test("a file left by a killed server is replaced; a live server's socket is left alone", async () => {
    server = await startTestServer();
    const path = join(dir, `stale${n++}.sock`);
    writeFileSync(path, "");
    const first = await startAdminSocket(path, server.running.core, () => {});
    expect(first).toBeDefined();
    if (first) sockets.push(first);
    const logs: string[] = [];
    const second = await startAdminSocket(path, server.running.core, (l) => logs.push(l));
    expect(second).toBeUndefined();
    expect(logs).toEqual([
      `admin socket ${path} belongs to another running chat serve; not serving one here`,
    ]);
    expect((await adminRequest(path, { cmd: "rooms" })).ok).toBe(true);
  });

  test("an answer far bigger than the socket buffer arrives whole", async () => {
    // 5000 rooms kept from an earlier run, each with a long topic: several megabytes of JSON.
    const store = new MemoryStore({ history: 10 });
    const topic = { text: "t".repeat(380), setBy: "op", setAt: 1 };
    for (let i = 0; i < 5000; i++) {
      store.saveRoom({ name: `#room${i}`, created: 1, flags: "nt", bans: [], topic });
    }
    server = await startTestServer({ store });
    const path = join(dir, `big${n++}.sock`);
    const admin = await startAdminSocket(path, server.running.core, () => {});
    if (admin) sockets.push(admin);
    const a = await adminRequest(path, { cmd: "rooms" });
    expect(a.ok).toBe(true);
    const rooms = (a as { result: { name: string; topic: string }[] }).result;
    expect(rooms).toHaveLength(5000);
    expect(new Set(rooms.map((r) => r.name)).size).toBe(5000);
    expect(rooms.every((r) => r.topic === topic.text)).toBe(true);
  });

  test("no server: one clear error naming the socket", async () => {
    const path = join(dir, "nobody.sock");
    await expect(adminRequest(path, { cmd: "rooms" })).rejects.toThrow(
      `no running chat server at ${path}: no such socket; start chat serve, or give its --db or --socket`,
    );
  });
});
