/**
 * TLS through the real program: `chat serve --tls` (self-signed, made once and
 * kept) and `--tls-cert/--tls-key` (openssl-made), the invite line with the
 * fingerprint, TLS and plain text on one port, and `chat join --tls` refusing
 * an unknown server it cannot ask about, a declined prompt and a changed
 * fingerprint.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { TestClient } from "../../helpers/irc-client.ts";
import { serveCommand, spawnServe } from "../../helpers/serve-process.ts";
import { LineClient, opensslCert, peerFingerprint, Signal } from "./helpers.ts";

const ROOT = join(import.meta.dir, "..", "..", "..");
const MAIN = join(ROOT, "src", "main.ts");

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function home(): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "chat-tls-home-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      XDG_DATA_HOME: join(dir, "data"),
      XDG_CONFIG_HOME: join(dir, "config"),
      TERM: "xterm-256color",
      USER: "tester",
    },
  };
}

interface Served {
  port: number;
  out: () => string;
  stop(): Promise<void>;
}

/** `chat serve` on 127.0.0.1, port 0; resolves once it has printed its whole banner. */
async function serve(env: Record<string, string>, args: string[]): Promise<Served> {
  const server = await spawnServe(serveCommand(args), { env, readyWhen: /Press Ctrl-C/ });
  const stop = (): Promise<void> => server.stop("SIGTERM");
  cleanups.push(stop);
  return { port: server.port, out: server.output, stop };
}

function opensslFp(certPath: string): string {
  const out = execFileSync(
    "openssl",
    ["x509", "-in", certPath, "-noout", "-fingerprint", "-sha256"],
    { encoding: "utf8" },
  );
  return `SHA256:${(out.trim().split("=")[1] ?? "").replaceAll(":", "").toLowerCase()}`;
}

async function joinPipe(
  env: Record<string, string>,
  args: string[],
  input: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, MAIN, "join", ...args], {
    env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    proc.stdin.write(input);
    await proc.stdin.end();
  } catch (err) {
    // A client that refuses the server exits without reading its input (EPIPE):
    // that is an outcome the test checks, not a failure of the helper.
    if ((err as { code?: unknown }).code !== "EPIPE") throw err;
  }
  const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(killer);
  return { code, stdout, stderr };
}

describe("chat serve --tls", () => {
  test("makes a self-signed certificate once, prints the exact invite line, and keeps it across restarts", async () => {
    const h = home();
    const first = await serve(h.env, ["--tls", "--db", ":memory:"]);
    const certPath = join(h.dir, "data", "chat", "tls-cert.pem");
    expect(existsSync(certPath)).toBe(true);
    const fp = opensslFp(certPath);
    expect(first.out()).toContain(`Fingerprint: ${fp}`);
    expect(first.out()).toContain(`chat join 127.0.0.1:${first.port} --tls --fp ${fp}`);
    expect(first.out()).toContain("new self-signed certificate");
    // The certificate served is the one on disk.
    expect(await peerFingerprint(first.port)).toBe(fp);
    await first.stop();

    const second = await serve(h.env, ["--tls", "--db", ":memory:"]);
    expect(second.out()).toContain(`Fingerprint: ${fp}`);
    expect(second.out()).not.toContain("new self-signed certificate");
    expect(await peerFingerprint(second.port)).toBe(fp);
  }, 30_000);

  test("with --db FILE the certificate is kept beside the database", async () => {
    const h = home();
    const dbDir = join(h.dir, "srv");
    mkdirSync(dbDir);
    const s = await serve(h.env, ["--tls", "--db", join(dbDir, "chat.db")]);
    expect(existsSync(join(dbDir, "tls-cert.pem"))).toBe(true);
    expect(s.out()).toContain(opensslFp(join(dbDir, "tls-cert.pem")));
  }, 30_000);

  test("--tls-cert/--tls-key serve the given certificate; a key that does not match is one clear line", async () => {
    const h = home();
    const a = opensslCert();
    const b = opensslCert();
    cleanups.push(a.cleanup, b.cleanup);
    const s = await serve(h.env, [
      "--tls-cert",
      a.certPath,
      "--tls-key",
      a.keyPath,
      "--db",
      ":memory:",
    ]);
    expect(s.out()).toContain(`Fingerprint: ${opensslFp(a.certPath)}`);
    expect(await peerFingerprint(s.port)).toBe(opensslFp(a.certPath));
    const bad = Bun.spawnSync(
      [
        process.execPath,
        MAIN,
        "serve",
        "--port",
        "0",
        "--tls-cert",
        a.certPath,
        "--tls-key",
        b.keyPath,
      ],
      { env: h.env, stdout: "pipe", stderr: "pipe" },
    );
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.toString()).toContain("is not the private key of the certificate");
  }, 30_000);

  test("TLS and plain text share the port: a TLS IRC client and a plain nc user talk in #lobby", async () => {
    const h = home();
    const s = await serve(h.env, ["--tls", "--db", ":memory:"]);
    const secure = await LineClient.connect(s.port, { tls: true });
    cleanups.push(() => secure.close());
    await secure.register("secure");
    secure.send("JOIN #lobby");
    await secure.waitFor("joined", (l) => / 366 secure #lobby /.test(l));
    const plain = await TestClient.connect(s.port);
    cleanups.push(() => plain.close());
    plain.send("hello");
    await plain.expect("Pick a nickname");
    plain.send("plainuser");
    await plain.expect(/#lobby/);
    plain.send("hi from nc");
    await secure.waitFor("plain text over TLS", (l) => l.includes("PRIVMSG #lobby :hi from nc"));
    secure.send("PRIVMSG #lobby :hi from tls");
    await plain.expect("hi from tls");
  }, 30_000);
});

describe("chat join --tls refuses what it cannot trust", () => {
  test("pipe mode cannot ask, so an unknown self-signed server is refused with the --fp to use", async () => {
    const h = home();
    const s = await serve(h.env, ["--tls", "--db", ":memory:"]);
    const fp = opensslFp(join(h.dir, "data", "chat", "tls-cert.pem"));
    const r = await joinPipe(h.env, [`127.0.0.1:${s.port}`, "--tls", "--nick", "p"], "hello\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--fp ${fp}`);
    expect(existsSync(join(h.dir, "config", "chat", "known_servers"))).toBe(false);
  }, 30_000);

  test("a changed fingerprint is refused loudly even when the user would say yes", async () => {
    const h = home();
    const s = await serve(h.env, ["--tls", "--db", ":memory:"]);
    const known = join(h.dir, "config", "chat", "known_servers");
    mkdirSync(join(h.dir, "config", "chat"), { recursive: true });
    const old = `SHA256:${"12".repeat(32)}`;
    writeFileSync(known, `127.0.0.1:${s.port} ${old}\n`);
    const r = await joinPipe(h.env, [`127.0.0.1:${s.port}`, "--tls", "--nick", "p"], "hello\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("WARNING: THE SERVER'S CERTIFICATE HAS CHANGED!");
    expect(r.stderr).toContain(old);
    expect(r.stderr).toContain(known);
    // The remembered fingerprint is left alone: only the user may replace it.
    expect(readFileSync(known, "utf8")).toBe(`127.0.0.1:${s.port} ${old}\n`);
  }, 30_000);

  test("answering no to the trust-on-first-use prompt exits without connecting or remembering", async () => {
    const h = home();
    const s = await serve(h.env, ["--tls", "--db", ":memory:"]);
    let screen = "";
    const signal = new Signal();
    const proc: Subprocess = Bun.spawn(
      [process.execPath, MAIN, "join", `127.0.0.1:${s.port}`, "--tls", "--nick", "refuser"],
      {
        env: h.env,
        terminal: {
          cols: 120,
          rows: 40,
          data(_t, bytes) {
            screen += new TextDecoder().decode(bytes);
            signal.notify();
          },
        },
      },
    );
    cleanups.push(() => {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    });
    await signal.until("the trust question", () => screen.includes("Trust this server"), 15_000);
    expect(screen).toContain(opensslFp(join(h.dir, "data", "chat", "tls-cert.pem")));
    proc.terminal?.write("no\r");
    const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    const code = await proc.exited;
    clearTimeout(killer);
    proc.terminal?.close();
    expect(code).toBe(1);
    expect(existsSync(join(h.dir, "config", "chat", "known_servers"))).toBe(false);
    expect(s.out()).not.toContain("refuser");
  }, 30_000);
});
