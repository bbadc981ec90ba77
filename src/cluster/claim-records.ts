/**
 * Owned-nick claims as they cross the network: each node keeps its claims in
 * its own SQLite store, and every change made on one node is replayed on the
 * others from a control record (`{k: "claim", c: ClaimChange}`). This checks a
 * record read back from Redis before it reaches a store.
 */
import type { Claim, ClaimChange } from "../store/claims.ts";

const str = (v: unknown): v is string => typeof v === "string";
const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === "string";

function toClaim(v: unknown): Claim | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const c = v as Record<string, unknown>;
  if (!str(c.folded) || !str(c.nick) || !strOrNull(c.hash) || !strOrNull(c.certfp))
    return undefined;
  if (!num(c.created) || !num(c.lastLogin)) return undefined;
  if (c.hash === null && c.certfp === null) return undefined; // a claim nobody could prove
  return {
    folded: c.folded,
    nick: c.nick,
    hash: c.hash,
    certfp: c.certfp,
    created: c.created,
    lastLogin: c.lastLogin,
  };
}

/** The change a record carries, or undefined for anything malformed. */
export function parseClaimChange(v: unknown): ClaimChange | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (r.op === "remove" && str(r.folded)) return { op: "remove", folded: r.folded };
  if (r.op === "touch" && str(r.folded) && num(r.at)) {
    return { op: "touch", folded: r.folded, at: r.at };
  }
  if (r.op === "put") {
    const claim = toClaim(r.claim);
    return claim === undefined ? undefined : { op: "put", claim };
  }
  return undefined;
}
