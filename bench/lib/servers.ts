/**
 * Starting, measuring and stopping the servers under test: our `dist/chat`, InspIRCd and
 * ngIRCd from Debian. Every server listens on 127.0.0.1 on a free port, with flood limits off and
 * connection limits far above what the benchmark opens, so all three run the same workload.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export type ServerKind = "chat" | "chat-baseline" | "inspircd" | "ngircd";
/** Our server under test and an older build of it (--baseline), run with the same settings. */
export type ChatKind = "chat" | "chat-baseline";
/** The servers a full run compares; chat-baseline joins only when --baseline names a build. */
export const SERVER_KINDS: readonly ServerKind[] = ["chat", "inspircd", "ngircd"];

export function isChatKind(kind: ServerKind): kind is ChatKind {
  return kind === "chat" || kind === "chat-baseline";
}

export interface RunningServer {
  kind: ServerKind;
  host: string;
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

/** Connection ceiling written into peer configs: above the 20,000 open-file cap. */
const MAX_CONNECTIONS = 100_000;
export const REPO_ROOT = new URL("../..", import.meta.url).pathname;
export const CHAT_BINARY = join(REPO_ROOT, "dist/chat");
let chatBinary = CHAT_BINARY;
let baselineBinary: string | null = null;

/** Benchmark another build of chat (e.g. an experiment in another work tree) instead of dist/chat. */
export function useChatBinary(path: string): void {
  chatBinary = path;
}

/** The older build that runs as "chat-baseline", side by side with "chat" (--baseline PATH). */
export function useBaselineBinary(path: string): void {
  baselineBinary = path;
}

export function chatBinaryPath(kind: ChatKind = "chat"): string {
  if (kind === "chat") return chatBinary;
  if (baselineBinary === null) throw new Error("chat-baseline needs --baseline PATH");
  return baselineBinary;
}

/** The first line of `BINARY --version` for a chat build (empty when it prints nothing). */
export function chatVersion(kind: ChatKind): string {
  return commandOutput([chatBinaryPath(kind), "--version"]).split("\n")[0] ?? "";
}

export async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

/** Tries to open a TCP connection; resolves true on success, false on refusal. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    Bun.connect({
      hostname: host,
      port,
      socket: {
        open(s) {
          s.end();
          resolve(true);
        },
        data() {},
        connectError() {
          resolve(false);
        },
        error() {},
      },
    }).catch(() => resolve(false));
  });
}

async function waitListening(
  host: string,
  port: number,
  proc: Subprocess,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited with code ${proc.exitCode}`);
    if (await canConnect(host, port)) return;
    await Bun.sleep(20);
  }
  throw new Error(`server not accepting on ${host}:${port} within ${timeoutMs} ms`);
}

async function stopProc(proc: Subprocess, dir?: string): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGTERM");
    const done = await Promise.race([
      proc.exited.then(() => true),
      Bun.sleep(5000).then(() => false),
    ]);
    if (!done) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

function commandOutput(cmd: string[]): string {
  try {
    const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
    return `${r.stdout.toString()}${r.stderr.toString()}`.trim();
  } catch {
    return "";
  }
}

/** Installs InspIRCd and ngIRCd from Debian when missing (the benchmark needs both). */
export function ensurePeersInstalled(kinds: readonly ServerKind[], log: (s: string) => void): void {
  const missing: string[] = [];
  if (kinds.includes("inspircd") && !existsSync("/usr/sbin/inspircd")) missing.push("inspircd");
  if (kinds.includes("ngircd") && !existsSync("/usr/sbin/ngircd")) missing.push("ngircd");
  if (missing.length === 0) return;
  log(`installing ${missing.join(", ")} from Debian (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const upd = Bun.spawnSync(["apt-get", "update", "-qq"], {
    env,
    stdout: "inherit",
    stderr: "inherit",
  });
  const inst = Bun.spawnSync(["apt-get", "install", "-y", "-qq", ...missing], {
    env,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (upd.exitCode !== 0 || inst.exitCode !== 0) {
    throw new Error(
      `could not install ${missing.join(", ")}: run "apt-get install -y ${missing.join(" ")}" as root, or pass --servers chat`,
    );
  }
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtimeMs(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/chat when missing, older than src/, or when asked to. */
export function ensureChatBuilt(log: (s: string) => void, rebuild: boolean): void {
  const stale =
    !existsSync(CHAT_BINARY) ||
    statSync(CHAT_BINARY).mtimeMs < newestMtimeMs(join(REPO_ROOT, "src"));
  if (!stale && !rebuild) return;
  log("building dist/chat (npm run build)...");
  const r = Bun.spawnSync(["npm", "run", "build"], {
    cwd: REPO_ROOT,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (r.exitCode !== 0)
    throw new Error("npm run build failed: fix the build, then rerun the benchmark");
}

/** `serve` with the benchmark's settings: 127.0.0.1, a free port, history in `db`, no flood limit. */
export function chatServeArgs(db: string): string[] {
  return ["serve", "--host", "127.0.0.1", "--port", "0", "--db", db, "--no-flood-limit", "--quiet"];
}

/**
 * Reads `chat serve`'s stdout until its "127.0.0.1:PORT" line (port 0 when it never comes within
 * `timeoutMs`), then keeps draining it so a chatty server never blocks on a full pipe.
 */
export async function readChatPort(
  stdout: ReadableStream<Uint8Array>,
  timeoutMs: number,
): Promise<{ port: number; out: string }> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  const deadline = performance.now() + timeoutMs;
  let port = 0;
  while (!port && performance.now() < deadline) {
    const r = await Promise.race([reader.read(), Bun.sleep(timeoutMs).then(() => null)]);
    if (!r || r.done) break;
    out += decoder.decode(r.value, { stream: true });
    const m = /127\.0\.0\.1:(\d+)/.exec(out);
    if (m) port = Number(m[1]);
  }
  void (async () => {
    try {
      while (!(await reader.read()).done) {}
    } catch {
      // process gone
    }
  })();
  return { port, out };
}

/**
 * Starts `dist/chat serve` with history on: a SQLite file (WAL) in a temp folder, removed on stop,
 * so the fan-out figures include the batched history writes.
 */
export async function startChat(
  opts: {
    kind?: ChatKind;
    extraArgs?: string[] /** kept after stop; the caller removes it */;
    dbDir?: string;
  } = {},
): Promise<RunningServer> {
  const kind = opts.kind ?? "chat";
  const binary = chatBinaryPath(kind);
  const dir = opts.dbDir ?? mkdtempSync(join(tmpdir(), "bench-chat-"));
  const ownDir = opts.dbDir ? undefined : dir;
  const cmd = [binary, ...chatServeArgs(join(dir, "chat.db")), ...(opts.extraArgs ?? [])];
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const { port, out } = await readChatPort(proc.stdout, 10_000);
  void new Response(proc.stderr).text().catch(() => "");
  if (!port) {
    await stopProc(proc, ownDir);
    throw new Error(`chat serve did not print its address (got: ${out.slice(0, 200)})`);
  }
  try {
    await waitListening("127.0.0.1", port, proc, 10_000);
  } catch (err) {
    await stopProc(proc, ownDir);
    throw err;
  }
  return {
    kind,
    host: "127.0.0.1",
    port,
    pid: proc.pid,
    version: chatVersion(kind),
    stop: () => stopProc(proc, ownDir),
  };
}

/** A self-signed certificate for the TLS scenario (h), made with openssl into `dir`. */
export function selfSignedPair(dir: string): TlsFiles {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const r = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
    ].concat(["-days", "2", "-subj", "/CN=127.0.0.1"]),
    { stdout: "ignore", stderr: "pipe" },
  );
  if (r.exitCode !== 0) {
    throw new Error(`openssl could not make a certificate: ${r.stderr.toString().slice(0, 200)}`);
  }
  return { cert, key };
}

export interface TlsFiles {
  cert: string;
  key: string;
}

export function inspircdConfig(dir: string, port: number, tls?: TlsFiles): string {
  // InspIRCd 3: the gnutls module serves the profile the bind names.
  const tlsConf = tls
    ? `<module name="ssl_gnutls">
<sslprofile name="bench" provider="gnutls" certfile="${tls.cert}" keyfile="${tls.key}" hash="sha256" requestclientcert="no">
`
    : "";
  return `<config format="xml">
${tlsConf}<server name="bench.inspircd" description="benchmark" network="bench">
<admin name="bench" nick="bench" email="bench@localhost">
<bind address="127.0.0.1" port="${port}" type="clients"${tls ? ' sslprofile="bench"' : ""}>
<power diepass="" restartpass="">
<connect allow="*" timeout="60" pingfreq="600" hardsendq="1M" softsendq="1M" recvq="1M"
  threshold="1000000000" commandrate="1000000000" fakelag="no"
  localmax="${MAX_CONNECTIONS}" globalmax="${MAX_CONNECTIONS}" maxconnwarn="no"
  limit="${MAX_CONNECTIONS}" maxchans="100" resolvehostnames="no" useident="no">
<channels users="100" opers="100">
<files motd="${dir}/motd.txt">
<pid file="${dir}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${dir}/inspircd.log">
<options prefixquit="Quit: " syntaxhints="no" announcets="yes" hostintopic="yes" pingwarning="15">
<security hideserver="" userstats="Pu" customversion="" maxtargets="20">
<performance quietbursts="yes" softlimit="${MAX_CONNECTIONS}" somaxconn="4096" netbuffersize="10240" clonesonconnect="no">
<whowas groupsize="10" maxgroups="100000" maxkeep="3d">
<module name="cap">
<module name="ircv3">
<module name="ircv3_servertime">
<module name="ircv3_msgid">
<module name="ircv3_ctctags">
`;
}

export async function startInspircd(tls?: TlsFiles): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "bench-inspircd-"));
  const port = await freePort();
  writeFileSync(join(dir, "motd.txt"), "benchmark\n");
  writeFileSync(join(dir, "inspircd.conf"), inspircdConfig(dir, port, tls));
  const proc = Bun.spawn(
    ["/usr/sbin/inspircd", "--nofork", "--runasroot", `--config=${join(dir, "inspircd.conf")}`],
    { stdout: "ignore", stderr: "ignore", stdin: "ignore", cwd: dir },
  );
  try {
    await waitListening("127.0.0.1", port, proc, 15_000);
  } catch (err) {
    const logText = existsSync(join(dir, "inspircd.log"))
      ? readFileSync(join(dir, "inspircd.log"), "utf8").slice(-800)
      : "";
    await stopProc(proc, dir);
    throw new Error(`InspIRCd did not start: ${(err as Error).message}\n${logText}`);
  }
  const version = commandOutput(["/usr/sbin/inspircd", "--version"]).split("\n")[0] ?? "";
  return {
    kind: "inspircd",
    host: "127.0.0.1",
    port,
    pid: proc.pid,
    version,
    stop: () => stopProc(proc, dir),
  };
}

export function ngircdConfig(dir: string, port: number): string {
  return `[Global]
  Name = bench.ngircd
  Info = benchmark
  Listen = 127.0.0.1
  Ports = ${port}
  MotdFile = ${dir}/motd.txt
  PidFile = ${dir}/ngircd.pid
[Limits]
  MaxConnections = 0
  MaxConnectionsIP = 0
  MaxJoins = 0
  MaxPenaltyTime = 0
  PingTimeout = 600
  PongTimeout = 600
  MaxNickLength = 30
[Options]
  DNS = no
  Ident = no
  PAM = no
  MorePrivacy = no
`;
}

export async function startNgircd(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "bench-ngircd-"));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, "motd.txt"), "benchmark\n");
  writeFileSync(join(dir, "ngircd.conf"), ngircdConfig(dir, port));
  const proc = Bun.spawn(["/usr/sbin/ngircd", "--nodaemon", "--config", join(dir, "ngircd.conf")], {
    stdout: "ignore",
    stderr: "pipe",
    stdin: "ignore",
    cwd: dir,
  });
  const errText = new Response(proc.stderr).text().catch(() => "");
  try {
    await waitListening("127.0.0.1", port, proc, 15_000);
  } catch (err) {
    await stopProc(proc, dir);
    throw new Error(
      `ngIRCd did not start: ${(err as Error).message}\n${(await errText).slice(-800)}`,
    );
  }
  const version = commandOutput(["/usr/sbin/ngircd", "--version"]).split("\n")[0] ?? "";
  return {
    kind: "ngircd",
    host: "127.0.0.1",
    port,
    pid: proc.pid,
    version,
    stop: () => stopProc(proc, dir),
  };
}

/** `chatArgs` are extra `chat serve` flags (the peers' configs already allow what a scenario needs). */
export function startServer(kind: ServerKind, chatArgs: string[] = []): Promise<RunningServer> {
  if (isChatKind(kind)) return startChat({ kind, extraArgs: chatArgs });
  if (kind === "inspircd") return startInspircd();
  return startNgircd();
}

/** Resident set size of a process in KiB (VmRSS from /proc/PID/status). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]);
}

/** CPU time (user+system) of a process in ms, from /proc/PID/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Busy and total CPU jiffies of the whole machine (all cores), from /proc/stat. */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}
