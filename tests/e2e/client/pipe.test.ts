/**
 * Issue 17 point 4: pipe mode reconnects and catches up like the interactive
 * mode, and `chat join --once` sends stdin, prints nothing but errors, and
 * exits once the server has taken every line. The compiled binary as server
 * (restarted on the same port and database) and as client.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { TestClient } from "../../helpers/irc-client.ts";
import { bin, ensureBinary, makeHome, runPipe, startServer } from "./harness.ts";

const home = makeHome();
beforeAll(() => ensureBinary(), 120_000);
afterAll(() => home.cleanup());

async function peer(port: number, nick: string): Promise<TestClient> {
  const p = await TestClient.connect(port);
  await p.register(nick);
  p.send("JOIN #lobby");
  await p.expect(new RegExp(` 366 ${nick} #lobby `));
  return p;
}

test("a pipe survives a server restart: it reconnects, catches up, and delivers what came after", async () => {
  const db = join(home.dir, "pipe.db");
  let server = await startServer(home.env, ["--db", db]);
  const port = server.port;
  const proc = Bun.spawn([bin, "join", `127.0.0.1:${port}`, "--nick", "piper"], {
    env: home.env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  try {
    let bob = await peer(port, "bob");
    proc.stdin.write("line one\n");
    await proc.stdin.flush();
    await bob.expect(/:piper!\S+ PRIVMSG #lobby :line one/);
    bob.close();

    await server.stop();
    server = await startServer(home.env, ["--db", db], port);
    bob = await peer(port, "bob");
    bob.send("PRIVMSG #lobby :said while you were gone");
    bob.send("PING sync");
    await bob.expect(/PONG .*sync/);

    proc.stdin.write("line two\n");
    await proc.stdin.flush();
    await bob.expect(/:piper!\S+ JOIN #lobby/, 20_000);
    await bob.expect(/:piper!\S+ PRIVMSG #lobby :line two/);
    await proc.stdin.end();
    const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(0);
    // The catch-up printed what was said while the link was down, once, marked as history.
    expect(stdout).toMatch(/^\d\d:\d\d~ <bob> said while you were gone$/m);
    expect(stdout.split("said while you were gone").length).toBe(2);
    bob.close();
  } finally {
    clearTimeout(killer);
    if (proc.exitCode === null) proc.kill("SIGKILL");
    await server.stop();
  }
}, 90_000);

test("--once sends stdin, prints nothing, and exits 0 once delivered", async () => {
  const server = await startServer(home.env);
  try {
    const bob = await peer(server.port, "bob");
    bob.send("PRIVMSG #lobby :you will not see this");
    const r = await runPipe(
      ["join", `127.0.0.1:${server.port}`, "--nick", "once", "--once"],
      home.env,
      "first\nsecond\n",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    await bob.expect(/:once!\S+ PRIVMSG #lobby :first/);
    await bob.expect(/:once!\S+ PRIVMSG #lobby :second/);
    bob.close();
  } finally {
    await server.stop();
  }
}, 60_000);
