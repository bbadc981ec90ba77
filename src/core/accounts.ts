/**
 * Owned nicks, the core's side: the claim store, proving a secret or a
 * certificate against it, and the throttle on guessing (wrong secrets counted
 * per nick, from anywhere, and per address, for any nick, in sliding windows
 * like the server password's lockout). All state is this object's.
 *
 * A secret is only ever passed to the hash functions; no message, log line or
 * error built here contains it.
 */
import { addressKey } from "../security/address.ts";
import { hashSecret, secretMatches } from "../security/claim-secret.ts";
import { humanSeconds, SlidingWindow } from "../security/rate-limit.ts";
import type { Claim, ClaimStore } from "../store/claims.ts";
import type { Limits } from "./limits.ts";

export type ProofOutcome =
  | { ok: true; claim: Claim; created: boolean }
  | { ok: false; reason: "wrong" | "throttled" | "unclaimed"; message: string };

export class Accounts {
  private readonly perNick = new Map<string, SlidingWindow>();
  private readonly perIp = new Map<string, SlidingWindow>();
  /** Verified against when a nick has no hash, so a miss costs the time a wrong secret does. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    readonly store: ClaimStore,
    private readonly limits: Readonly<Limits>,
  ) {}

  claim(folded: string, now: number): Claim | undefined {
    return this.store.get(folded, now);
  }

  /**
   * Prove `secret` for `folded`: verify it against the claim, or (when the
   * nick is unclaimed and `claimIfFree`) claim the nick with it.
   */
  async prove(
    folded: string,
    nick: string,
    secret: string,
    ip: string,
    now: () => number,
    claimIfFree: boolean,
  ): Promise<ProofOutcome> {
    const wait = this.lockout(folded, ip, now());
    if (wait > 0) {
      return {
        ok: false,
        reason: "throttled",
        message: `Too many wrong secrets; try again in ${humanSeconds(wait)}`,
      };
    }
    const existing = this.store.get(folded, now());
    if (existing === undefined) {
      if (!claimIfFree) {
        await secretMatches(secret, await this.decoy());
        return { ok: false, reason: "unclaimed", message: `${nick} is not claimed` };
      }
      const hash = await hashSecret(secret);
      // Someone may have claimed it while we hashed: then this is a proof attempt after all.
      if (this.store.create({ folded, nick, hash, certfp: null }, now())) {
        const claim = this.store.get(folded, now());
        if (claim !== undefined) return { ok: true, claim, created: true };
      }
      return this.prove(folded, nick, secret, ip, now, false);
    }
    // Counted as a wrong guess before the slow check and given back if right: counted
    // after, any number of guesses sent at once would all pass the lockout above.
    const at = now();
    this.failed(folded, ip, at);
    const ok = await secretMatches(secret, existing.hash ?? (await this.decoy()));
    if (ok && existing.hash !== null) {
      this.refund(folded, ip, at);
      this.store.touch(folded, now());
      return { ok: true, claim: { ...existing, lastLogin: now() }, created: false };
    }
    return { ok: false, reason: "wrong", message: `Wrong secret for ${existing.nick}` };
  }

  /** The claim a certificate fingerprint proves, touched; undefined when none. */
  byCert(certfp: string, now: number): Claim | undefined {
    const claim = this.store.byCert(certfp, now);
    if (claim !== undefined) this.store.touch(claim.folded, now);
    return claim;
  }

  /** Claim an unclaimed nick with a certificate; false when it is claimed. */
  claimWithCert(folded: string, nick: string, certfp: string, now: number): boolean {
    return this.store.create({ folded, nick, hash: null, certfp }, now);
  }

  release(folded: string): boolean {
    this.perNick.delete(folded);
    return this.store.remove(folded);
  }

  /** Made on first use: hashing at start would slow every server's first connection. */
  private decoy(): Promise<string> {
    this.decoyHash ??= hashSecret(crypto.randomUUID());
    return this.decoyHash;
  }

  /** Milliseconds before another guess for `folded` from `ip` is allowed, or 0. */
  private lockout(folded: string, ip: string, now: number): number {
    const a = this.perNick.get(folded)?.retryAfter(now) ?? 0;
    const b = this.perIp.get(addressKey(ip))?.retryAfter(now) ?? 0;
    return Math.max(a, b);
  }

  private refund(folded: string, ip: string, at: number): void {
    this.perNick.get(folded)?.untake(at);
    this.perIp.get(addressKey(ip))?.untake(at);
  }

  private failed(folded: string, ip: string, now: number): void {
    const l = this.limits;
    windowIn(this.perNick, folded, l.secretFailuresPerNick, l).take(now);
    windowIn(this.perIp, addressKey(ip), l.secretFailuresPerIp, l).take(now);
  }
}

/** The key's window in `table`, made on first use; the table forgets its oldest past the cap. */
function windowIn(
  table: Map<string, SlidingWindow>,
  key: string,
  max: number,
  l: Readonly<Limits>,
): SlidingWindow {
  let w = table.get(key);
  if (w === undefined) {
    if (table.size >= l.trackedAddresses) {
      const oldest = table.keys().next().value;
      if (oldest !== undefined) table.delete(oldest);
    }
    w = new SlidingWindow({ max, windowMs: l.secretFailuresWindowMs });
    table.set(key, w);
  }
  return w;
}
