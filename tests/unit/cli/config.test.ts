/**
 * `chat serve --config FILE`: every flag has a file key and a CHAT_* variable,
 * flag > env > file > default, and every mistake names the file, line and key.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "citty";
import { COMMAND_LINE_ONLY, parseConfigFile } from "../../../src/cli/config-file.ts";
import { envName, loadServeConfig } from "../../../src/cli/load-config.ts";
import type { RawArgs } from "../../../src/cli/options.ts";
import { formatConfig } from "../../../src/cli/print-config.ts";
import { serveArgs } from "../../../src/cli/serve-config.ts";
import { REPO_ROOT } from "../../helpers/binary.ts";

const FILE = "chat.toml";

/** Load as `chat serve ARGV` would, with `toml` as the --config file when given. */
function load(argv: string[], toml?: string, env: Record<string, string | undefined> = {}) {
  const rawArgs = toml === undefined ? argv : ["--config", FILE, ...argv];
  return loadServeConfig(
    {
      rawArgs,
      parsed: parseArgs(rawArgs, serveArgs) as RawArgs,
      env,
      readFile: (path) => {
        if (path !== FILE || toml === undefined)
          throw Object.assign(new Error("x"), { code: "ENOENT" });
        return toml;
      },
    },
    serveArgs,
  );
}

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  throw new Error("expected a usage error");
}

const settable = Object.entries(serveArgs).filter(([k]) => !COMMAND_LINE_ONLY.has(k));

/** A valid file value for each flag, by its type and name. */
function sample(flag: string, type: string): string {
  if (type === "boolean") return "true";
  if (flag === "oper") return '["alice:pw"]';
  if (flag === "host") return '"127.0.0.1"';
  if (flag === "name") return '"chat.example.org"';
  if (flag === "network") return '"Example"';
  if (flag.startsWith("tls-")) return `"${flag}.pem"`;
  if (flag === "db") return '":memory:"';
  if (flag === "log-format") return '"json"';
  if (flag === "log-level") return '"debug"';
  if (flag === "web-origin") return '["https://app.example"]';
  if (flag === "metrics") return '"127.0.0.1:9100"';
  if (flag === "admin-socket") return '"/tmp/chat-test.sock"';
  if (flag === "redis") return '"redis://127.0.0.1:6379"';
  if (flag === "password" || flag === "motd") return '"words here"';
  return "7";
}

describe("config file keys", () => {
  test("every flag can be set in the file, by its flag name", () => {
    const toml = settable.map(([k, d]) => `${k} = ${sample(k, d.type)}`).join("\n");
    const loaded = load([], toml);
    for (const [k] of settable) expect(loaded.sources[k], k).toBe("file");
    expect(loaded.config.port).toBe(7);
    expect(loaded.config.opers).toEqual([{ name: "alice", password: "pw" }]);
    expect(loaded.config.motd).toBe("words here");
  });

  test("every flag can be set from its CHAT_* variable", () => {
    const env: Record<string, string> = {};
    for (const [k, d] of settable)
      env[envName(k)] = String(JSON.parse(sample(k, d.type).replace(/^\[(.*)\]$/, "$1")));
    const loaded = load([], undefined, env);
    for (const [k] of settable) expect(loaded.sources[k], k).toBe("env");
    expect(env.CHAT_MAX_PER_IP).toBe("7");
    expect(loaded.config.maxPerIp).toBe(7);
    expect(loaded.config.floodLimit).toBe(true);
  });

  test("a flag beats the environment, which beats the file, which beats the default", () => {
    const toml = 'port = 1000\nhistory = 20\nnetwork = "FileNet"\n';
    const env = { CHAT_PORT: "2000", CHAT_HISTORY: "30" };
    const c = load(["--port", "3000"], toml, env).config;
    expect(c.port).toBe(3000);
    expect(c.history).toBe(30);
    expect(c.network).toBe("FileNet");
    expect(c.host).toBe("0.0.0.0");
  });

  test("a default from the flag table does not hide the file's value", () => {
    // citty fills --port's default; only flags actually typed may win over the file.
    expect(load([], "port = 1234\nflood-limit = false\n").config).toMatchObject({
      port: 1234,
      floodLimit: false,
    });
  });

  test("--no-flood-limit on the command line beats flood-limit = true in the file", () => {
    expect(load(["--no-flood-limit"], "flood-limit = true\n").config.floodLimit).toBe(false);
  });

  test("CHAT_CONFIG names the file when --config is not given", () => {
    const c = loadServeConfig(
      { rawArgs: [], parsed: {}, env: { CHAT_CONFIG: "x.toml" }, readFile: () => "port = 42\n" },
      serveArgs,
    ).config;
    expect(c.port).toBe(42);
  });

  test("a file with every line of the example uncommented is valid, and the example names every key", () => {
    const text = readFileSync(join(REPO_ROOT, "contrib", "chat.example.toml"), "utf8");
    expect(load([], text).config.motd).toBe("Welcome! Be kind.");
    const uncommented = text.replace(/^# ([a-z-]+ = )/gm, "$1");
    const file = parseConfigFile(uncommented, "example", serveArgs);
    for (const [k] of settable)
      expect(file.args[k], `contrib/chat.example.toml lacks ${k}`).toBeDefined();
    expect(load([], uncommented).config.tlsCert).toContain("fullchain.pem");
  });
});

describe("config file mistakes: exit 2, naming the file, line and key", () => {
  test.each([
    ["port = 6667\nprot = 1\n", /chat\.toml:2: unknown key "prot"/],
    [
      "\n\nmax_per_ip = 3\n",
      /chat\.toml:3: unknown key "max_per_ip" \(did you mean "max-per-ip"\?\)/,
    ],
    ['config = "other.toml"\n', /chat\.toml:1: unknown key "config"/],
    ["[server]\nport = 1\n", /chat\.toml:1: unknown key "server"/],
    ['quiet = "yes"\n', /chat\.toml:1: quiet must be true or false, not string "yes"/],
    ["\nport = 1.5\n", /chat\.toml:2: port must be a string or whole number, not number 1.5/],
    ["oper = [1, 2]\n", /chat\.toml:1: oper must be a list of strings/],
    ['motd = ["a"]\n', /chat\.toml:1: motd must be a string or whole number, not a list/],
    ['host = "x"\nport = 99999\n', /chat\.toml:2: port must be a number from 0 to 65535/],
    ["history = 0\n", /chat\.toml:1: history must be a whole number of at least 1/],
    ['\n\noper = ["nocolon"]\n', /chat\.toml:3: oper must look like NAME:PASSWORD/],
    ['tls-cert = "c.pem"\n', /chat\.toml:1: tls-cert and tls-key must be given together/],
    ['port = 1\nhost = "unterminated\n', /chat\.toml:2: not valid TOML: Unterminated string/],
    ['oper = [\n  "a:1",\n  "b:2",\n]\nport = 1\nport = 2\n', /chat\.toml:6: not valid TOML/],
  ])("%j", (toml, want) => {
    const msg = problem(() => load([], toml));
    expect(msg).toStartWith("UsageError: ");
    expect(msg).toMatch(want);
  });

  test("a missing file says so", () => {
    expect(
      problem(() =>
        loadServeConfig(
          {
            rawArgs: ["--config", "nope.toml"],
            parsed: { config: "nope.toml" },
            env: {},
            readFile: () => {
              throw Object.assign(new Error("x"), { code: "ENOENT" });
            },
          },
          serveArgs,
        ),
      ),
    ).toBe("UsageError: cannot read config file nope.toml: no such file");
  });

  test("a bad CHAT_* value names the variable", () => {
    expect(problem(() => load([], undefined, { CHAT_PORT: "http" }))).toMatch(
      /^UsageError: from CHAT_PORT: --port must be/,
    );
    expect(problem(() => load([], undefined, { CHAT_QUIET: "maybe" }))).toMatch(
      /CHAT_QUIET must be true or false/,
    );
  });

  test("a bad flag is still reported as the flag", () => {
    expect(problem(() => load(["--port", "99999"], "port = 1\n"))).toMatch(
      /^UsageError: --port must be/,
    );
  });
});

describe("--print-config", () => {
  const toml = 'password = "file-secret-1"\noper = ["root:oper-secret-2"]\nmotd = "hi"\n';
  const out = formatConfig(load(["--port", "0"], toml, { CHAT_HISTORY: "9" }), serveArgs);

  test("masks every secret: the server password and operator passwords", () => {
    expect(out).not.toContain("file-secret-1");
    expect(out).not.toContain("oper-secret-2");
    expect(out).toContain('password = "********"');
    expect(out).toContain('oper = ["root:********"]');
  });

  test("says where each value came from", () => {
    expect(out).toContain("port = 0  # flag");
    expect(out).toContain("history = 9  # CHAT_HISTORY");
    expect(out).toContain('motd = "hi"  # chat.toml:3');
    expect(out).toContain('network = "chat"  # default');
  });

  test("is itself a config file that loads to the same settings (apart from masked secrets)", () => {
    const again = load([], out).config;
    const first = load(["--port", "0"], toml, { CHAT_HISTORY: "9" }).config;
    expect({ ...again, password: "", opers: [] }).toEqual({ ...first, password: "", opers: [] });
  });
});
