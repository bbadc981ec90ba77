/**
 * SIGHUP through the compiled binary: the MOTD, operators, limits and the TLS
 * certificate change while a connected client stays connected; a bad file or
 * an unusable key keeps the running configuration and the log says why.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureChatBinary } from "../helpers/binary.ts";
import { TestClient } from "../helpers/irc-client.ts";
import { type ServeProcess, serveCommand, spawnServe } from "../helpers/serve-process.ts";
import { LineClient, opensslCert, peerFingerprint } from "../integration/security/helpers.ts";

beforeAll(ensureChatBinary, 120_000);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "chat-reload-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir() };

async function serve(file: string, args: string[] = []): Promise<ServeProcess> {
  const server = await spawnServe(serveCommand(["--config", file, ...args], "binary"), {
    env: ENV,
    readyWhen: /Press Ctrl-C/,
  });
  cleanups.push(() => server.stop());
  return server;
}

/** Send SIGHUP and wait (bounded) for the reload's outcome line, the n-th since start. */
async function hangup(server: ServeProcess, n = 1): Promise<string> {
  server.proc.kill("SIGHUP");
  const outcome = /reloaded configuration.*|reload failed.*/g;
  for (let i = 0; i < 500; i++) {
    const lines = server.stderr().match(outcome) ?? [];
    if (lines.length >= n) return lines[n - 1] ?? "";
    await Bun.sleep(20);
  }
  throw new Error(`no reload outcome logged: ${server.output()}`);
}

async function irc(port: number, nick: string): Promise<TestClient> {
  const c = await TestClient.connect(port);
  cleanups.push(() => c.close());
  await c.register(nick);
  return c;
}

/** The connection still answers: a PING gets its PONG. */
async function alive(c: TestClient, token: string): Promise<void> {
  c.send(`PING ${token}`);
  await c.expect(new RegExp(`PONG .*${token}`));
}

const BASE = 'db = ":memory:"\n';

describe("SIGHUP reload (compiled binary)", () => {
  test("a new MOTD and operator work at once, and the connected client stays", async () => {
    const file = join(tempDir(), "chat.toml");
    writeFileSync(file, `${BASE}motd = "old words"\noper = ["root:first-pw"]\n`);
    const server = await serve(file);
    const c = await irc(server.port, "alice");
    expect(c.lines.some((l) => l.includes("old words"))).toBe(true);

    writeFileSync(file, `${BASE}motd = "new words"\noper = ["admin:second-pw"]\n`);
    expect(await hangup(server)).toContain("reloaded configuration");
    await alive(c, "after-reload");
    c.send("MOTD");
    await c.expect(/ 372 .*new words/);
    c.send("OPER root first-pw");
    await c.expect(/ 464 /);
    c.send("OPER admin second-pw");
    await c.expect(/ 381 /);
    // A newcomer gets the new MOTD in the welcome too.
    const d = await irc(server.port, "bob");
    expect(d.lines.some((l) => l.includes("new words"))).toBe(true);
  });

  test("a bad file keeps the running configuration and logs the file, line and key", async () => {
    const file = join(tempDir(), "chat.toml");
    writeFileSync(file, `${BASE}motd = "kept words"\noper = ["root:kept-pw"]\n`);
    const server = await serve(file);
    const c = await irc(server.port, "alice");

    writeFileSync(file, `${BASE}motd = "never shown"\nmax-per-ip = "lots"\n`);
    const outcome = await hangup(server);
    expect(outcome).toMatch(
      /reload failed, keeping the running configuration: .*chat\.toml:3: max-per-ip/,
    );
    await alive(c, "still-here");
    c.send("MOTD");
    await c.expect(/ 372 .*kept words/);
    c.send("OPER root kept-pw");
    await c.expect(/ 381 /);
  });

  test("a new metrics address or admin socket is logged as waiting for a restart", async () => {
    const d = tempDir();
    const file = join(d, "chat.toml");
    writeFileSync(
      file,
      `${BASE}metrics = "0"\nadmin-socket = ${JSON.stringify(join(d, "a.sock"))}\n`,
    );
    const server = await serve(file);
    writeFileSync(
      file,
      `${BASE}metrics = "127.0.0.1:1"\nadmin-socket = ${JSON.stringify(join(d, "b.sock"))}\n`,
    );
    await hangup(server);
    for (let i = 0; i < 250 && !/not applied until a restart/.test(server.stderr()); i++) {
      await Bun.sleep(20);
    }
    expect(server.stderr()).toContain("not applied until a restart: metrics, admin-socket changed");
    // A second reload of the same file says it again: the running values are still the old ones.
    await hangup(server, 2);
    for (
      let i = 0;
      i < 250 && (server.stderr().match(/metrics, admin-socket/g) ?? []).length < 2;
      i++
    ) {
      await Bun.sleep(20);
    }
    expect(server.stderr().match(/metrics, admin-socket changed/g)).toHaveLength(2);
  });

  test("a SIGHUP as soon as the server says it listens reloads it rather than killing it", async () => {
    // systemd (Type=exec) may send `systemctl reload` at any moment after start.
    // The handler went in after the banner, and Bun installs it a moment later:
    // a SIGHUP in between ended the server (signal SIGHUP), about one in three.
    const file = join(tempDir(), "chat.toml");
    writeFileSync(file, `${BASE}motd = "early"\n`);
    for (let i = 0; i < 5; i++) {
      const server = await spawnServe(serveCommand(["--config", file], "binary"), { env: ENV });
      cleanups.push(() => server.stop());
      const outcome = await hangup(server).catch((e: Error) => e.message);
      expect({ i, signal: server.proc.signalCode, outcome }).toEqual({
        i,
        signal: null,
        outcome: expect.stringContaining("reloaded configuration") as unknown as string,
      });
      await server.stop();
    }
  });

  test("new limits apply to new connections; open ones stay", async () => {
    const file = join(tempDir(), "chat.toml");
    writeFileSync(file, BASE);
    const server = await serve(file);
    const c = await irc(server.port, "alice");
    writeFileSync(file, `${BASE}max-per-ip = 1\n`);
    await hangup(server);
    const refused = await LineClient.connect(server.port);
    cleanups.push(() => refused.close());
    await refused.waitFor("refusal", (l) => l.includes("Too many connections from your address"));
    await alive(c, "over-the-limit");
  });

  test("a renewed TLS certificate is served to new connections; an unusable one is not", async () => {
    const d = tempDir();
    const first = opensslCert();
    const second = opensslCert();
    cleanups.push(first.cleanup, second.cleanup);
    const certPath = join(d, "cert.pem");
    const keyPath = join(d, "key.pem");
    copyFileSync(first.certPath, certPath);
    copyFileSync(first.keyPath, keyPath);
    const file = join(d, "chat.toml");
    writeFileSync(file, `${BASE}tls-cert = "${certPath}"\ntls-key = "${keyPath}"\n`);
    const server = await serve(file);
    const firstFp = await peerFingerprint(server.port);
    const old = await LineClient.connect(server.port, { tls: true });
    cleanups.push(() => old.close());
    await old.register("alice");

    // Renewed in place, as certbot does.
    copyFileSync(second.certPath, certPath);
    copyFileSync(second.keyPath, keyPath);
    expect(await hangup(server, 1)).toContain("reloaded configuration");
    const secondFp = await peerFingerprint(server.port);
    expect(secondFp).not.toBe(firstFp);
    expect(server.stderr()).toContain(`TLS certificate ${secondFp}`);
    old.send("PING still-secure");
    await old.waitFor("PONG on the old TLS connection", (l) => l.includes("still-secure"));

    // A key that does not match the certificate: refused, the renewed one stays.
    copyFileSync(first.keyPath, keyPath);
    expect(await hangup(server, 2)).toContain("reload failed, keeping the running configuration");
    expect(await peerFingerprint(server.port)).toBe(secondFp);

    // The key gone altogether (a renewal half done): refused the same way.
    rmSync(keyPath);
    expect(await hangup(server, 3)).toMatch(
      /reload failed, keeping the running configuration: .*key/,
    );
    expect(await peerFingerprint(server.port)).toBe(secondFp);
    old.send("PING still-here");
    await old.waitFor("PONG after two refused reloads", (l) => l.includes("still-here"));
  });
});
