/**
 * `npm run release`: six executables and their checksums. Each file's format
 * and architecture is what its name says (checked with `file`), the checksums
 * verify, and the linux-arm64 build runs under qemu-user far enough to print
 * its version. The builds are reused when they are newer than the code.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { RELEASE_DIR, releaseFileName, TARGETS } from "../../scripts/release.ts";
import { REPO_ROOT } from "../helpers/binary.ts";

const SUMS = join(RELEASE_DIR, "SHA256SUMS");

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let n = 0;
  for (const e of readdirSync(path)) n = Math.max(n, newest(join(path, e)));
  return n;
}

function releaseIsFresh(): boolean {
  if (!existsSync(SUMS)) return false;
  const code = Math.max(
    newest(join(REPO_ROOT, "src")),
    newest(join(REPO_ROOT, "scripts", "release.ts")),
    newest(join(REPO_ROOT, "package.json")),
  );
  return TARGETS.every((t) => {
    const f = join(RELEASE_DIR, releaseFileName(t));
    return existsSync(f) && statSync(f).mtimeMs >= code;
  });
}

beforeAll(() => {
  if (releaseIsFresh()) return;
  const r = Bun.spawnSync(["npm", "run", "release"], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`npm run release failed:\n${r.stderr.toString()}`);
}, 600_000);

/** What `file` must say about each target's executable. */
const FORMAT: Record<string, RegExp[]> = {
  "linux-x64": [/^ELF 64-bit/, /x86-64/, /ld-linux-x86-64/],
  "linux-x64-musl": [/^ELF 64-bit/, /x86-64/, /ld-musl-x86_64/],
  "linux-arm64": [/^ELF 64-bit/, /ARM aarch64/],
  "darwin-x64": [/^Mach-O 64-bit/, /x86_64/],
  "darwin-arm64": [/^Mach-O 64-bit/, /arm64/],
  "windows-x64": [/^PE32\+ executable/, /x86-64/, /MS Windows/],
};

const VERSION_LINE = new RegExp(
  `^${pkg.version.replaceAll(".", "\\.")} \\(commit [0-9a-f]{12}(-dirty)?\\)$`,
);

function target(name: string): (typeof TARGETS)[number] {
  const t = TARGETS.find((x) => x.name === name);
  if (t === undefined) throw new Error(`the release table lost ${name}`);
  return t;
}

function run(cmd: string[], cwd = RELEASE_DIR): { code: number | null; out: string } {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

describe("npm run release", () => {
  test("builds exactly the six executables and SHA256SUMS", () => {
    const want = [...TARGETS.map((t) => releaseFileName(t)), "SHA256SUMS"].sort();
    expect(readdirSync(RELEASE_DIR).sort()).toEqual(want);
  });

  test.each(TARGETS.map((t) => [t.name, t] as const))("%s has the right format", (name, t) => {
    const r = run(["file", "-b", join(RELEASE_DIR, releaseFileName(t))]);
    expect(r.code).toBe(0);
    for (const pattern of FORMAT[name] ?? [/never/]) expect(r.out).toMatch(pattern);
  });

  test("SHA256SUMS verifies every file with sha256sum -c", () => {
    const r = run(["sha256sum", "-c", "SHA256SUMS"]);
    expect(r.code).toBe(0);
    const ok = r.out.split("\n").filter((l) => l.endsWith(": OK"));
    expect(ok.length).toBe(TARGETS.length);
  });

  test("the linux-x64 build prints its version and commit", () => {
    const r = run([join(RELEASE_DIR, releaseFileName(target("linux-x64"))), "--version"]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(VERSION_LINE);
  });

  test("the linux-arm64 build runs under qemu-user and prints the same version", () => {
    const arm = target("linux-arm64");
    const x64 = target("linux-x64");
    // -L: the aarch64 C library from Debian's libc6-arm64-cross (scripts/test-deps.sh).
    const r = run([
      "qemu-aarch64-static",
      "-L",
      "/usr/aarch64-linux-gnu",
      join(RELEASE_DIR, releaseFileName(arm)),
      "--version",
    ]);
    expect(r.code).toBe(0);
    const native = run([join(RELEASE_DIR, releaseFileName(x64)), "--version"]);
    expect(r.out.trim()).toMatch(VERSION_LINE);
    expect(r.out.trim()).toBe(native.out.trim());
  });
});
