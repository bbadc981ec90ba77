/**
 * The compiled binary as a user runs it: help, version, and how it refuses bad
 * arguments (one line on stderr, exit status 2, no stack trace).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import pkg from "../../package.json" with { type: "json" };
import { joinArgs } from "../../src/cli/join-config.ts";
import { serveArgs } from "../../src/cli/serve-config.ts";
import { CHAT_BINARY, ensureChatBinary } from "../helpers/binary.ts";

beforeAll(ensureChatBinary, 120_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function chat(...args: string[]): Run {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  const r = Bun.spawnSync([CHAT_BINARY, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe("chat (compiled binary)", () => {
  test.each(["--version", "-v", "serve --version", "join --version"])(
    "chat %s prints the package version and the commit",
    (args) => {
      const r = chat(...args.split(" "));
      expect(r.code).toBe(0);
      // `npm run build` does not stamp a commit; `npm run release` does (release.test.ts).
      expect(r.stdout.trim()).toBe(`${pkg.version} (commit unknown)`);
    },
  );

  test.each(["--help", "-h", "help"])("%s lists both commands", (flag) => {
    const r = chat(flag);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("serve");
    expect(r.stdout).toContain("join");
    // Piped output carries no colour escape codes.
    expect(r.stdout).not.toContain("\u001b[");
  });

  const levels = [
    ["serve", serveArgs],
    ["join", joinArgs],
  ] as const;
  for (const [name, args] of levels) {
    test(`${name} --help describes every flag`, () => {
      const r = chat(name, "--help");
      expect(r.code).toBe(0);
      for (const [flag, def] of Object.entries(args)) {
        if (def.type === "positional") {
          expect(r.stdout).toContain(flag.toUpperCase());
        } else {
          const line = r.stdout.split("\n").find((l) => new RegExp(`^\\s*--${flag}[= ]`).test(l));
          expect(line, `--${flag} missing from help`).toBeDefined();
          // The flag's own line carries its description.
          expect(line).toContain(def.description);
        }
      }
    });
  }

  test("serve --help mentions --no-flood-limit by name", () => {
    expect(chat("serve", "--help").stdout).toContain("--no-flood-limit");
  });

  test.each([
    [["serve", "--port", "99999"], /--port must be a number from 0 to 65535/],
    [["serve", "--port=abc"], /--port/],
    [["join"], /missing HOST\[:PORT\]/],
    [["serve", "--bogus"], /unknown option --bogus/],
    [["join", "127.0.0.1", "--nick-name", "x"], /unknown option --nick-name/],
    [["join", "127.0.0.1", "--fp", "SHA256:nothex"], /--fp must look like SHA256/],
    [["join", "not an address"], /bad address/],
    [["join", "http://127.0.0.1:6667"], /bad address/],
    [["join", "127.0.0.1:99999"], /bad port/],
    [["join", "[::1"], /missing "\]"/],
    [["serve", "extra"], /unexpected argument "extra"/],
    [["serve", "--oper", "nocolon"], /--oper must look like NAME:PASSWORD/],
    [["serve", "--name", "not a name"], /--name must be a host-like name/],
    [["serve", "--network", "two words"], /--network must be 1 to 32/],
    [["serve", "--max-clients", "0"], /--max-clients must be a whole number/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("%p prints one clear line on stderr and exits 2", (args, why) => {
    const r = chat(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^chat: /);
    expect(lines[0]).toMatch(why);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
