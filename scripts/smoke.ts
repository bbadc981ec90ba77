/**
 * Smoke test of the built binary as a user gets it: copied alone into an empty
 * folder, run with a PATH that has no bun and no node_modules.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "chat-smoke-"));
const bin = join(dir, "chat");
copyFileSync("dist/chat", bin);
const env = { PATH: "/usr/bin:/bin", HOME: dir };
let failures = 0;

function check(args: string[], wantCode: number, wantOut: RegExp): void {
  const r = Bun.spawnSync([bin, ...args], { cwd: dir, env });
  const out = r.stdout.toString() + r.stderr.toString();
  const ok = r.exitCode === wantCode && wantOut.test(out);
  console.log(`${ok ? "ok  " : "FAIL"} chat ${args.join(" ")} -> exit ${r.exitCode}`);
  if (!ok) {
    failures++;
    console.log(out);
  }
}

/** Connects, sends `first`, and returns what came back once it holds `until` (or after 5 s). */
function converse(port: number, first: string, until: string): Promise<string> {
  return new Promise<string>((resolve) => {
    let buf = "";
    const timer = setTimeout(() => resolve(buf), 5000);
    void Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.write(first);
        },
        data(s, d) {
          buf += d.toString();
          if (buf.includes(until)) {
            clearTimeout(timer);
            s.end();
            resolve(buf);
          }
        },
      },
    });
  });
}

check(["--version"], 0, /\d+\.\d+/);
check(["--help"], 0, /serve/);
check(["serve", "--help"], 0, /--no-flood-limit/);
check(["join", "--help"], 0, /--json/);
check(["serve", "--port", "99999"], 2, /--port/);
check(["join"], 2, /HOST\[:PORT\]/);

// The server must accept a connection and greet an IRC client.
const server = Bun.spawn([bin, "serve", "--host", "127.0.0.1", "--port", "0", "--db", ":memory:"], {
  cwd: dir,
  env,
  stdout: "pipe",
  stderr: "pipe",
});
const port = await new Promise<number>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("server did not print its port in 5 s")), 5000);
  let seen = "";
  const reader = server.stdout.getReader();
  const pump = async (): Promise<void> => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return reject(new Error(`server exited: ${seen}`));
      seen += new TextDecoder().decode(value);
      const m = /127\.0\.0\.1:(\d+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        reader.releaseLock();
        return resolve(Number(m[1]));
      }
    }
  };
  void pump();
}).catch((e: unknown) => {
  console.log(`FAIL serve: ${String(e)}`);
  failures++;
  return 0;
});
if (port > 0) {
  const got = await converse(port, "NICK smoke\r\nUSER smoke 0 * :Smoke Test\r\n", " 001 ");
  const ok = got.includes(" 001 smoke ");
  console.log(`${ok ? "ok  " : "FAIL"} serve greets an IRC client with 001`);
  if (!ok) failures++;

  // A human with nc: the first line is not IRC, so it is taken as the nickname.
  const human = await converse(port, "smokehuman\n", "You are in #lobby");
  const plainOk = human.includes("*** Hello smokehuman!") && human.includes("You are in #lobby");
  console.log(`${plainOk ? "ok  " : "FAIL"} serve speaks plain text to an nc user`);
  if (!plainOk) {
    failures++;
    console.log(human);
  }
}
server.kill("SIGTERM");
const code = await server.exited;
console.log(`${code === 0 ? "ok  " : "FAIL"} serve exits 0 on SIGTERM (got ${code})`);
if (code !== 0) failures++;
rmSync(dir, { recursive: true, force: true });
console.log(`smoke: ${failures === 0 ? "all passed" : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
