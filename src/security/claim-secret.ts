/**
 * Secrets that prove a claimed nick: hashed with Argon2id (Bun.password, off
 * the event loop) before anything stores them, checked against the hash. The
 * plain secret lives only for the length of one call and is never logged.
 */

/** The OWASP minimum for argon2id, as for operator passwords (password.ts). */
const HASH_OPTIONS = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;

/** Secrets shorter than this are refused: a nick's only protection is its secret. */
export const MIN_SECRET_LENGTH = 8;
/** Longer ones are refused too, so nobody makes the server hash megabytes. */
export const MAX_SECRET_LENGTH = 300;

/** Why `secret` cannot protect a nick, or undefined when it can. */
export function weakSecret(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) {
    return `a secret must be at least ${MIN_SECRET_LENGTH} characters`;
  }
  if (secret.length > MAX_SECRET_LENGTH) {
    return `a secret must be at most ${MAX_SECRET_LENGTH} characters`;
  }
  return undefined;
}

export function hashSecret(secret: string): Promise<string> {
  return Bun.password.hash(secret, HASH_OPTIONS);
}

/** True when `secret` matches `hash`; a damaged hash is a mismatch, not an exception. */
export async function secretMatches(secret: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(secret, hash);
  } catch {
    return false;
  }
}
