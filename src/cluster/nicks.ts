/**
 * The network-wide nick registry in Redis: one key per casefolded nick,
 * `<prefix>nick:<folded>` = `<claimed at ms>|<node>/<conn>`, with a TTL the
 * holder's node refreshes on every heartbeat (so a dead node's nicks free
 * themselves).
 *
 * THE CONFLICT RULE, one script for every case (a race between two nodes, a
 * re-assertion after Redis lost its data, a refresh): the earlier claim keeps
 * the nick; on equal times the smaller holder id. A claim that loses is told
 * so and its node renames that user; a claim that wins over a later one names
 * the loser, so its node can be told at once instead of at its next refresh.
 */
import type { RedisClient } from "bun";

// KEYS[1]: nick key. ARGV: our value, ttl ms. Returns {1 | 0, previous holder or ""}.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, ''}
end
local cat = tonumber(string.match(cur, '^(%d+)|'))
local mat = tonumber(string.match(ARGV[1], '^(%d+)|'))
if cat == nil or (mat ~= nil and (mat < cat or (mat == cat and ARGV[1] < cur))) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, cur}
end
return {0, cur}`;

// KEYS[1]: nick key. ARGV[1]: our value. Deletes only our own claim.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface ClaimOutcome {
  won: boolean;
  /** The other holder: the loser we displaced (won) or the winner (lost); "" if none. */
  other: string;
}

/** `<at>|<node>/<conn>` -> node and conn; undefined for anything else. */
export function parseHolder(value: string): { node: string; conn: number } | undefined {
  const m = /^\d+\|(.+)\/(-?\d+)$/.exec(value);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { node: m[1], conn: Number(m[2]) };
}

export class NickClaims {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  holderValue(at: number, node: string, conn: number): string {
    return `${at}|${node}/${conn}`;
  }

  /** Claim, refresh or re-assert: the same call, by the rule above. */
  async claim(folded: string, value: string): Promise<ClaimOutcome> {
    const reply = (await this.redis.send("EVAL", [
      CLAIM,
      "1",
      `${this.prefix}nick:${folded}`,
      value,
      String(this.ttlMs),
    ])) as [number, string];
    return { won: Number(reply[0]) === 1, other: String(reply[1] ?? "") };
  }

  async release(folded: string, value: string): Promise<void> {
    await this.redis.send("EVAL", [RELEASE, "1", `${this.prefix}nick:${folded}`, value]);
  }
}
