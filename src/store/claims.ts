/**
 * Owned nicks: one row per claimed nick, keyed by the casefolded nick, holding
 * how the owner proves it (an Argon2id hash of their secret, or a TLS client
 * certificate fingerprint), when it was claimed and when the owner last logged
 * in. A claim not logged into for `claimDays` days is gone: a read finds it
 * expired and deletes it.
 *
 * One class for both lives: a file database (its own connection to the history
 * file, so the claims survive restarts with the history) or `:memory:` (for
 * `--db :memory:` and tests). Same SQL either way, so they cannot drift apart.
 * Secrets never reach this module: only their hashes.
 */
import { Database } from "bun:sqlite";
import { StoreOpenError } from "./errors.ts";
import { describe } from "./sqlite/log.ts";

export interface Claim {
  /** Casefolded nick: the key. */
  folded: string;
  /** The nick as the owner spelled it when claiming: the account name. */
  nick: string;
  /** Argon2id hash (Bun.password format), or null for a certificate-only claim. */
  hash: string | null;
  /** SHA-256 fingerprint of the owner's TLS client certificate, lowercase hex, or null. */
  certfp: string | null;
  created: number;
  lastLogin: number;
}

interface ClaimRow {
  folded: string;
  nick: string;
  hash: string | null;
  certfp: string | null;
  created: number;
  last_login: number;
}

const DAY_MS = 86_400_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS claims (
  folded TEXT PRIMARY KEY,
  nick TEXT NOT NULL,
  hash TEXT,
  certfp TEXT,
  created INTEGER NOT NULL,
  last_login INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_certfp ON claims (certfp) WHERE certfp IS NOT NULL;
CREATE TABLE IF NOT EXISTS offline (
  id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  msgid TEXT NOT NULL,
  time INTEGER NOT NULL,
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  command TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS offline_owner ON offline (owner, id)`;

/** A private message kept for an owner who was offline, delivered at their next login. */
export interface OfflineMessage {
  msgid: string;
  time: number;
  source: string;
  target: string;
  command: "PRIVMSG" | "NOTICE";
  text: string;
}

/** A change to the claims, as another node of the network replays it (src/cluster). */
export type ClaimChange =
  | { op: "put"; claim: Claim }
  | { op: "touch"; folded: string; at: number }
  | { op: "remove"; folded: string };

/**
 * Of two claims on one nick made on two nodes at once, the one every node
 * keeps: the earlier, and on equal times the one whose proof sorts first, so
 * all nodes pick the same without asking each other.
 */
export function earlierClaim(a: Claim, b: Claim): Claim {
  if (a.created !== b.created) return a.created < b.created ? a : b;
  const ka = `${a.hash ?? ""}|${a.certfp ?? ""}`;
  const kb = `${b.hash ?? ""}|${b.certfp ?? ""}`;
  return ka <= kb ? a : b;
}

export class ClaimStore {
  private readonly expiryMs: number;
  /** Told of every change made here (not of replayed ones), to share it with other nodes. */
  onChange: ((change: ClaimChange) => void) | undefined;

  private constructor(
    private readonly db: Database,
    claimDays: number,
  ) {
    this.expiryMs = claimDays * DAY_MS;
  }

  /**
   * The claims table in the database file at `path` (created if missing), or
   * in memory for ":memory:". Throws StoreOpenError naming the file and why.
   */
  static open(path: string, claimDays: number): ClaimStore {
    let db: Database | undefined;
    try {
      db = new Database(path, { create: true, strict: true });
      db.run("PRAGMA busy_timeout = 2000");
      if (path !== ":memory:") db.run("PRAGMA journal_mode = WAL");
      db.run(SCHEMA);
      return new ClaimStore(db, claimDays);
    } catch (err) {
      db?.close(false);
      throw new StoreOpenError(path, `cannot open the claims table: ${describe(err)}`, err);
    }
  }

  static memory(claimDays = 90): ClaimStore {
    return ClaimStore.open(":memory:", claimDays);
  }

  /** The live claim on a casefolded nick, or undefined (an expired one is deleted). */
  get(folded: string, now: number): Claim | undefined {
    const row = this.db
      .query<ClaimRow, [string]>("SELECT * FROM claims WHERE folded = ?")
      .get(folded);
    return this.live(row, now);
  }

  /** The live claim whose certificate fingerprint is `certfp`, or undefined. */
  byCert(certfp: string, now: number): Claim | undefined {
    const row = this.db
      .query<ClaimRow, [string]>("SELECT * FROM claims WHERE certfp = ? LIMIT 1")
      .get(certfp);
    return this.live(row, now);
  }

  /** Record a new claim; false when the nick is already (still) claimed. */
  create(claim: Omit<Claim, "created" | "lastLogin">, now: number): boolean {
    if (this.get(claim.folded, now) !== undefined) return false;
    this.db
      .query<never, [string, string, string | null, string | null, number, number]>(
        "INSERT INTO claims (folded, nick, hash, certfp, created, last_login) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(claim.folded, claim.nick, claim.hash, claim.certfp, now, now);
    this.onChange?.({ op: "put", claim: { ...claim, created: now, lastLogin: now } });
    return true;
  }

  /**
   * Replay another node's change: a claim is kept unless one made earlier is
   * here (earlierClaim), a login moves the clock forward only, a removal drops it.
   */
  applyRemote(change: ClaimChange, now: number): void {
    if (change.op === "touch") {
      this.db
        .query<never, [number, string, number]>(
          "UPDATE claims SET last_login = ? WHERE folded = ? AND last_login < ?",
        )
        .run(change.at, change.folded, change.at);
      return;
    }
    if (change.op === "remove") {
      this.removeHere(change.folded);
      return;
    }
    const c = change.claim;
    const here = this.get(c.folded, now);
    if (here !== undefined && earlierClaim(here, c) === here) return;
    this.db
      .query<never, [string, string, string | null, string | null, number, number]>(
        "INSERT OR REPLACE INTO claims (folded, nick, hash, certfp, created, last_login) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(c.folded, c.nick, c.hash, c.certfp, c.created, c.lastLogin);
  }

  /** Every live claim, for a node that joins the network. */
  all(now: number): Claim[] {
    const rows = this.db.query<ClaimRow, []>("SELECT * FROM claims").all();
    const out: Claim[] = [];
    for (const row of rows) {
      const c = this.live(row, now);
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  /** The owner logged in now: the expiry clock starts again. */
  touch(folded: string, now: number): void {
    this.db
      .query<never, [number, string]>("UPDATE claims SET last_login = ? WHERE folded = ?")
      .run(now, folded);
    this.onChange?.({ op: "touch", folded, at: now });
  }

  /** Drop a claim (owner's /unclaim, operator's RELEASE) and what was kept for it; true if there was one. */
  remove(folded: string): boolean {
    const gone = this.removeHere(folded);
    if (gone) this.onChange?.({ op: "remove", folded });
    return gone;
  }

  private removeHere(folded: string): boolean {
    const r = this.db.query<never, [string]>("DELETE FROM claims WHERE folded = ?").run(folded);
    this.db.query<never, [string]>("DELETE FROM offline WHERE owner = ?").run(folded);
    return r.changes > 0;
  }

  /** Keep a message for an offline owner; past `limit` the oldest kept ones go. */
  keepOffline(owner: string, m: OfflineMessage, limit: number): void {
    this.db
      .query<never, [string, string, number, string, string, string, string]>(
        "INSERT INTO offline (owner, msgid, time, source, target, command, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(owner, m.msgid, m.time, m.source, m.target, m.command, m.text);
    this.db
      .query<never, [string, string, number]>(
        "DELETE FROM offline WHERE owner = ? AND id NOT IN (SELECT id FROM offline WHERE owner = ? ORDER BY id DESC LIMIT ?)",
      )
      .run(owner, owner, limit);
  }

  /** The messages kept for `owner`, oldest first, removed from the store. */
  takeOffline(owner: string): OfflineMessage[] {
    const rows = this.db
      .query<OfflineMessage, [string]>(
        "SELECT msgid, time, source, target, command, text FROM offline WHERE owner = ? ORDER BY id",
      )
      .all(owner);
    if (rows.length > 0) {
      this.db.query<never, [string]>("DELETE FROM offline WHERE owner = ?").run(owner);
    }
    return rows;
  }

  close(): void {
    this.db.close(false);
  }

  private live(row: ClaimRow | null, now: number): Claim | undefined {
    if (row === null) return undefined;
    if (now - row.last_login > this.expiryMs) {
      this.removeHere(row.folded); // every node expires it on its own clock
      return undefined;
    }
    return {
      folded: row.folded,
      nick: row.nick,
      hash: row.hash,
      certfp: row.certfp,
      created: row.created,
      lastLogin: row.last_login,
    };
  }
}
