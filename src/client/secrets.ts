/**
 * The secrets that keep `chat join`'s nicks: one random secret per server and
 * nick, made the first time and kept in `$XDG_CONFIG_HOME/chat/secrets.json`
 * (mode 0600, folder 0700), so every later connection proves the nick without
 * the user ever typing it. Small file I/O only; the secret is never printed
 * except by /secret.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { foldCase } from "../protocol/casemap.ts";
import { defaultConfigDir, type Env } from "../security/paths.ts";

type SecretFile = Record<string, Record<string, string>>;

export function secretsPath(env: Env): string {
  return join(defaultConfigDir(env), "secrets.json");
}

/** The key of a server in the file: `host:port`, lowercased. */
function serverKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

function load(path: string): SecretFile {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as SecretFile) : {};
  } catch {
    // A damaged file must not lock the user out: start over (the old nick needs --secret).
    return {};
  }
}

function save(path: string, file: SecretFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** A fresh secret: 24 random bytes, base64url (32 characters). */
export function newSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
}

/**
 * The secret for `nick` on host:port: `given` (--secret / CHAT_SECRET, then
 * kept), else the stored one, else a new one, stored before it is used.
 */
export function secretFor(
  path: string,
  host: string,
  port: number,
  nick: string,
  given?: string,
): string {
  const file = load(path);
  const server = serverKey(host, port);
  const nicks = file[server] ?? {};
  const key = foldCase(nick);
  const stored = nicks[key];
  const secret = given ?? stored ?? newSecret();
  if (secret !== stored) {
    nicks[key] = secret;
    file[server] = nicks;
    save(path, file);
  }
  return secret;
}
