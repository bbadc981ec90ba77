/**
 * `npm run release`: one self-contained `chat` executable per platform in
 * dist/release, named chat-<version>-<os>-<arch>[.exe], plus SHA256SUMS.
 * Bun cross-compiles: the runtime for each --target comes from the npm
 * registry (cached in ~/.bun after the first download).
 *
 *   bun scripts/release.ts [--only linux-arm64,darwin-x64] [--out DIR]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import pkg from "../package.json" with { type: "json" };

export interface ReleaseTarget {
  /** os-arch as it appears in the file name. */
  name: string;
  /** Bun's --target. */
  bun: string;
  exe: boolean;
}

export const TARGETS: readonly ReleaseTarget[] = [
  { name: "linux-x64", bun: "bun-linux-x64", exe: false },
  { name: "linux-x64-musl", bun: "bun-linux-x64-musl", exe: false },
  { name: "linux-arm64", bun: "bun-linux-arm64", exe: false },
  { name: "darwin-x64", bun: "bun-darwin-x64", exe: false },
  { name: "darwin-arm64", bun: "bun-darwin-arm64", exe: false },
  { name: "windows-x64", bun: "bun-windows-x64", exe: true },
];

const ROOT = join(import.meta.dir, "..");
export const RELEASE_DIR = join(ROOT, "dist", "release");

export function releaseFileName(target: ReleaseTarget, version: string = pkg.version): string {
  return `chat-${version}-${target.name}${target.exe ? ".exe" : ""}`;
}

/** The commit being built, with "-dirty" when the tree has uncommitted changes. */
function gitCommit(): string {
  const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: ROOT });
  if (head.exitCode !== 0) return "unknown";
  const status = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], {
    cwd: ROOT,
  });
  const dirty = status.exitCode === 0 && status.stdout.toString().trim() !== "";
  return `${head.stdout.toString().trim()}${dirty ? "-dirty" : ""}`;
}

/** The same flags as `npm run build`, for another platform, stamped with version and commit. */
function buildCommand(target: ReleaseTarget, outfile: string, commit: string): string[] {
  return [
    process.execPath,
    "build",
    join(ROOT, "src", "main.ts"),
    "--compile",
    "--minify",
    "--bytecode",
    "--format",
    "esm",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    `--target=${target.bun}`,
    "--define",
    `BUILD_VERSION=${JSON.stringify(pkg.version)}`,
    "--define",
    `BUILD_COMMIT=${JSON.stringify(commit)}`,
    "--outfile",
    outfile,
  ];
}

async function build(target: ReleaseTarget, outDir: string, commit: string): Promise<string> {
  const outfile = join(outDir, releaseFileName(target));
  const proc = Bun.spawn(buildCommand(target, outfile, commit), {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`building ${target.name} failed (exit ${code}):\n${err}`);
  return outfile;
}

/** `<sha256>  <file>` lines, the format `sha256sum -c` and `shasum -a 256 -c` read. */
export function checksumLines(files: readonly string[]): string {
  return files
    .map((f) => {
      const hash = new Bun.CryptoHasher("sha256").update(readFileSync(f)).digest("hex");
      return `${hash}  ${basename(f)}\n`;
    })
    .join("");
}

export async function release(
  targets: readonly ReleaseTarget[],
  outDir: string,
): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const commit = gitCommit();
  // Two builds at a time: each is mostly one core of minify and bytecode work.
  const files: string[] = [];
  const queue = [...targets];
  const worker = async (): Promise<void> => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
      files.push(await build(t, outDir, commit));
    }
  };
  await Promise.all([worker(), worker()]);
  files.sort();
  writeFileSync(join(outDir, "SHA256SUMS"), checksumLines(files));
  return files;
}

function parseArgs(argv: readonly string[]): { targets: ReleaseTarget[]; outDir: string } {
  let targets = [...TARGETS];
  let outDir = RELEASE_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "--only" && value !== undefined) {
      const names = value.split(",");
      const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
      if (unknown.length > 0) {
        throw new Error(
          `unknown target ${unknown.join(", ")}; known: ${TARGETS.map((t) => t.name).join(", ")}`,
        );
      }
      targets = TARGETS.filter((t) => names.includes(t.name));
      i++;
    } else if (arg === "--out" && value !== undefined) {
      outDir = value;
      i++;
    } else {
      throw new Error(`usage: bun scripts/release.ts [--only TARGET,...] [--out DIR]`);
    }
  }
  return { targets, outDir };
}

if (import.meta.main) {
  try {
    const { targets, outDir } = parseArgs(process.argv.slice(2));
    const files = await release(targets, outDir);
    for (const f of files) console.log(f);
    console.log(join(outDir, "SHA256SUMS"));
  } catch (err) {
    console.error(`release: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
