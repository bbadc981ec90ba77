/**
 * `chat serve --config FILE` through the compiled binary: the file's settings
 * are used, --print-config shows them with secrets masked, and a bad file is
 * one line on stderr with exit status 2 and the file, line and key.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHAT_BINARY, ensureChatBinary } from "../helpers/binary.ts";
import { TestClient } from "../helpers/irc-client.ts";
import { serveCommand, spawnServe } from "../helpers/serve-process.ts";

beforeAll(ensureChatBinary, 120_000);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "chat-config-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir() };

function chat(args: string[], env: Record<string, string> = ENV) {
  const r = Bun.spawnSync([CHAT_BINARY, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe("chat serve --config (compiled binary)", () => {
  test("the file's MOTD, password and operators are in effect", async () => {
    const d = dir();
    const file = join(d, "chat.toml");
    writeFileSync(
      file,
      'motd = "from the file"\npassword = "pw-in-file"\noper = ["root:oper-in-file"]\ndb = ":memory:"\n',
    );
    const server = await spawnServe(serveCommand(["--config", file], "binary"), { env: ENV });
    cleanups.push(() => server.stop());
    const c = await TestClient.connect(server.port);
    cleanups.push(() => c.close());
    await c.register("alice", { password: "pw-in-file" });
    expect(c.lines.some((l) => l.includes("from the file"))).toBe(true);
    c.send("OPER root oper-in-file");
    await c.expect(/ 381 /);
  });

  test("--print-config prints the effective settings, secrets masked, and exits 0", () => {
    const d = dir();
    const file = join(d, "chat.toml");
    writeFileSync(file, 'port = 7001\npassword = "pw-in-file"\noper = ["root:oper-in-file"]\n');
    const r = chat(["serve", "--config", file, "--print-config"], {
      ...ENV,
      CHAT_NETWORK: "EnvNet",
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`port = 7001  # ${file}:1`);
    expect(r.stdout).toContain('network = "EnvNet"  # CHAT_NETWORK');
    expect(r.stdout).not.toContain("pw-in-file");
    expect(r.stdout).not.toContain("oper-in-file");
  });

  test("--print-config shows the value in effect where a default is worked out at start", () => {
    const home = dir();
    const r = chat(["serve", "--print-config", "--quiet"], { ...ENV, HOME: home });
    expect(r.code).toBe(0);
    const data = join(home, ".local", "share", "chat");
    // Shown, commented out, so the printed file still follows HOME, the host name and --db.
    expect(r.stdout).toContain(`# db = ${JSON.stringify(join(data, "chat.db"))}  # default`);
    expect(r.stdout).toContain(
      `# admin-socket = ${JSON.stringify(join(data, "chat.sock"))}  # default`,
    );
    expect(r.stdout).toContain("# max-per-ip = 100  # default");
    expect(r.stdout).toContain("# max-clients = 19000  # default");
    expect(r.stdout).toContain('# log-level = "warn"  # default (--quiet)');
    expect(r.stdout).toMatch(/^# name = "[a-z0-9.-]+" {2}# default \(this host's name\)$/m);
    expect(r.stdout).toContain("# metrics = (off)");
    expect(r.stdout).toContain("# password = (not set)");
    expect(r.stdout).not.toContain("(not set)  # default");
  });

  test.each([
    ["typo.toml", "port = 6667\nmotdd = 1\n", /typo\.toml:2: unknown key "motdd"/],
    ["type.toml", "\nquiet = 1\n", /type\.toml:2: quiet must be true or false/],
    ["value.toml", "port = 70000\n", /value\.toml:1: port must be a number from 0 to 65535/],
    ["syntax.toml", "port = = 1\n", /syntax\.toml:1: not valid TOML/],
  ])("%s: one line naming the file, line and key; exit 2", (name, text, want) => {
    const file = join(dir(), name);
    writeFileSync(file, text);
    const r = chat(["serve", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(want);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a [table] or a dotted key, which no flag is, is named with its own line, exit 2", () => {
    const d = dir();
    const cases: [string, string][] = [
      ['port = 6667\nmotd = "hi"\n\n[limits]\nmax = 3\n', ':4: unknown key "limits"'],
      ["port = 6667\n[[listen]]\nport = 1\n", ':2: unknown key "listen"'],
      [
        'port = 6667\nmotd = "hi"\ntls.cert = "c.pem"\n',
        ":3: tls must be true or false, not a table",
      ],
      ['port = 6667\n  "server" . name = "x"\n', ':2: unknown key "server"'],
    ];
    for (const [text, said] of cases) {
      const file = join(d, "chat.toml");
      writeFileSync(file, text);
      const r = chat(["serve", "--config", file]);
      expect({ text, code: r.code, said: r.stderr.includes(`chat.toml${said}`) }).toEqual({
        text,
        code: 2,
        said: true,
      });
    }
  });

  test("an empty or spaced host is a bad value naming its line (exit 2), not a listen failure", () => {
    const d = dir();
    for (const host of ["", "  ", "not a host"]) {
      const file = join(d, "chat.toml");
      writeFileSync(file, `port = 0\nhost = ${JSON.stringify(host)}\ndb = ":memory:"\n`);
      const r = chat(["serve", "--config", file]);
      expect({ host, code: r.code }).toEqual({ host, code: 2 });
      expect(r.stderr).toContain(`chat.toml:2: host must be an address or host name`);
    }
    const flag = chat(["serve", "--host", "", "--port", "0", "--db", ":memory:"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--host must be an address or host name");
  });

  test("a missing file: one line, exit 2", () => {
    const r = chat(["serve", "--config", join(dir(), "absent.toml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read config file .*absent\.toml: no such file/);
  });
});
