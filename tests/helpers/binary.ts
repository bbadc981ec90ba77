/**
 * The compiled `dist/chat`, built on demand so end-to-end tests always run the
 * code in src/ rather than a stale binary left over from an earlier build.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dir, "..", "..");
export const CHAT_BINARY = join(REPO_ROOT, "dist", "chat");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build dist/chat when it is missing or older than the code it should contain. */
export function ensureChatBinary(): void {
  const fresh =
    existsSync(CHAT_BINARY) &&
    statSync(CHAT_BINARY).mtimeMs >= newestSource(join(REPO_ROOT, "src"));
  if (fresh) return;
  const r = Bun.spawnSync(["npm", "run", "build"], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`npm run build failed:\n${r.stderr.toString()}`);
}
