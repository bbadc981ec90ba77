/**
 * Secrets: the server password and operator logins.
 *
 * The server password is compared in constant time. Both sides are hashed to
 * SHA-256 first so `timingSafeEqual` always sees equal lengths and the time
 * taken reveals neither the content nor the length of the real password.
 *
 * Operator passwords are hashed with Bun.password (argon2id) as soon as they are
 * parsed from the command line, so the plain text does not linger in server
 * state; an OPER attempt is verified against the hash.
 */
import { createHash, timingSafeEqual } from "node:crypto";

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** Constant-time equality of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The server password check: no password configured lets everyone in;
 * otherwise a missing or wrong password is refused.
 */
export function passwordAccepted(
  configured: string | undefined,
  given: string | undefined,
): boolean {
  if (configured === undefined) return true;
  // Compare even when nothing was given, so "missing" and "wrong" take the same time.
  const ok = secretsEqual(given ?? "", configured);
  return ok && given !== undefined;
}

/**
 * argon2id with modest memory: each OPER attempt costs the server a hash, so
 * the OWASP minimum (19 MiB, 2 passes) keeps a burst of attempts from eating
 * memory while still making offline guessing slow.
 */
const HASH_OPTIONS = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;

export interface OperLogin {
  name: string;
  password: string;
}

/** Operator logins from `--oper NAME:PASSWORD`, kept only as hashes. */
export class OperCredentials {
  private readonly hashes = new Map<string, string>();
  /**
   * Verified against when the name is unknown, so names cannot be probed by timing. Made on
   * the first check, not in the constructor: an argon2id hash costs ~50 ms, which every
   * `chat serve` start (and SIGHUP reload) paid before listening, most of them never checking.
   */
  private decoy: string | undefined;
  private decoyPending: Promise<string> | undefined;

  constructor(logins: readonly OperLogin[]) {
    for (const { name, password } of logins) {
      this.hashes.set(name, Bun.password.hashSync(password, HASH_OPTIONS));
    }
  }

  /** The decoy, hashed off the event loop; every name awaits it, so the first check costs all the same. */
  private decoyHash(): Promise<string> {
    this.decoyPending ??=
      this.decoy !== undefined
        ? Promise.resolve(this.decoy)
        : Bun.password.hash(crypto.randomUUID(), HASH_OPTIONS).then((h) => (this.decoy ??= h));
    return this.decoyPending;
  }

  get size(): number {
    return this.hashes.size;
  }

  /** True when NAME exists and PASSWORD is its password. */
  async verify(name: string, password: string): Promise<boolean> {
    const decoy = await this.decoyHash();
    const hash = this.hashes.get(name);
    const ok = await Bun.password.verify(password, hash ?? decoy);
    return ok && hash !== undefined;
  }

  /** One `{ name, verify }` per login, the shape ChatServer's `opers` option takes. */
  logins(): { name: string; verify: (password: string) => Promise<boolean> }[] {
    return [...this.hashes.keys()].map((name) => ({
      name,
      verify: (password: string) => this.verify(name, password),
    }));
  }

  /** Synchronous form for command handlers that cannot await. */
  verifySync(name: string, password: string): boolean {
    this.decoy ??= Bun.password.hashSync(crypto.randomUUID(), HASH_OPTIONS);
    const hash = this.hashes.get(name);
    const ok = Bun.password.verifySync(password, hash ?? this.decoy);
    return ok && hash !== undefined;
  }
}
