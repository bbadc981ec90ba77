/**
 * Owned nicks, the actions: prove or claim a nick with a secret (SASL PLAIN,
 * REGISTER, the plain front's /claim) or a certificate (SASL EXTERNAL), keep
 * claimed nicks for their owners (at registration and on NICK), take a nick
 * over from the owner's own stale session, and drop claims (/unclaim by the
 * owner, RELEASE by an operator). The nick is the account name.
 */
import { foldCase } from "../../protocol/casemap.ts";
import { weakSecret } from "../../security/claim-secret.ts";
import type { AuthResult } from "../api.ts";
import { ChatError } from "../errors.ts";
import { floorAt } from "../history.ts";
import { type CoreParts, publishUser } from "../parts.ts";
import type { Session } from "../state.ts";

/** How a secret is used: to log in to a claimed nick, to claim a free one, or whichever applies. */
export type AuthMode = "login" | "claim" | "either";

const fail = (
  reason: Exclude<AuthResult, { ok: true }>["reason"],
  message: string,
): AuthResult => ({
  ok: false,
  reason,
  message,
});

const NEEDS_PASSWORD = fail(
  "password",
  "This server has a password: send the right server password (PASS) before claiming or proving a nick",
);

/**
 * Before registration the server password is not checked yet, so claiming or
 * proving a nick then must not be a way round it (account-registration's
 * before-connect warns of exactly this). A wrong one counts like at registration.
 */
function passwordGiven(c: CoreParts, s: Session, given: string | undefined): boolean {
  return s.registered || c.admission.passwordOk(s.conn.remoteAddress, given, c.now());
}

/** Whether `s` owns the nick `folded` (it logged in to that account). */
export function owns(s: Session, folded: string): boolean {
  return s.account !== null && foldCase(s.account) === folded;
}

/** The owner's spelling of a claimed nick, or undefined when nobody has claimed it. */
export function claimedBy(c: CoreParts, nick: string): string | undefined {
  return c.accounts.claim(foldCase(nick), c.now())?.nick;
}

/** Prove (or claim) `nick` with `secret` for `s`. The secret appears in no result or log. */
export async function authenticate(
  c: CoreParts,
  s: Session,
  nick: string,
  secret: string,
  mode: AuthMode,
  serverPassword: string | undefined,
): Promise<AuthResult> {
  if (s.account !== null) return fail("already", `You are already logged in as ${s.account}`);
  if (!passwordGiven(c, s, serverPassword)) return NEEDS_PASSWORD;
  if (!c.validNick(nick)) return fail("invalid", `${nick} is not a valid nick`);
  const folded = foldCase(nick);
  const claim = c.accounts.claim(folded, c.now());
  if (claim === undefined) {
    if (mode === "login") return fail("unclaimed", `${nick} is not claimed`);
    const weak = weakSecret(secret);
    if (weak !== undefined) return fail("weak", `Cannot claim ${nick}: ${weak}`);
    const holder = c.registry.holder(nick);
    if (holder !== undefined && holder !== s) {
      return fail("taken", `${nick} is in use by someone else, so you cannot claim it now`);
    }
  } else if (mode === "claim") {
    return fail("claimed", `${claim.nick} is already claimed`);
  }
  const outcome = await c.accounts.prove(
    folded,
    nick,
    secret,
    s.conn.remoteAddress,
    () => c.now(),
    mode !== "login",
  );
  if (s.gone) return fail("wrong", "Connection closed");
  if (!outcome.ok) return fail(outcome.reason, outcome.message);
  loggedIn(c, s, outcome.claim.nick);
  c.log(
    `${outcome.created ? "claimed" : "login"} ${outcome.claim.nick} from ${s.host} (id ${s.id})`,
  );
  return { ok: true, account: outcome.claim.nick, created: outcome.created };
}

/**
 * SASL EXTERNAL: the TLS client certificate's fingerprint is the key. A known
 * fingerprint logs in to its nick; an unknown one claims `nick` (the
 * authorization identity, else the current nick) if that is free.
 */
export function authenticateCert(
  c: CoreParts,
  s: Session,
  nick: string | undefined,
  serverPassword: string | undefined,
): AuthResult {
  if (s.account !== null) return fail("already", `You are already logged in as ${s.account}`);
  if (!passwordGiven(c, s, serverPassword)) return NEEDS_PASSWORD;
  const certfp = s.conn.peerCertFingerprint?.();
  if (certfp === undefined) {
    return fail(
      "nocert",
      "No TLS client certificate was given; connect with TLS and a certificate",
    );
  }
  const known = c.accounts.byCert(certfp, c.now());
  if (known !== undefined) {
    if (nick !== undefined && nick !== "" && foldCase(nick) !== known.folded) {
      return fail("wrong", `This certificate belongs to ${known.nick}, not ${nick}`);
    }
    loggedIn(c, s, known.nick);
    return { ok: true, account: known.nick, created: false };
  }
  const want = nick === undefined || nick === "" ? s.nick : nick;
  if (want === undefined || !c.validNick(want)) {
    return fail("invalid", "Choose a nick first (NICK), then authenticate to claim it");
  }
  const folded = foldCase(want);
  const holder = c.registry.holder(want);
  if (holder !== undefined && holder !== s) {
    return fail("taken", `${want} is in use by someone else, so you cannot claim it now`);
  }
  if (!c.accounts.claimWithCert(folded, want, certfp, c.now())) {
    return fail("claimed", `${want} is already claimed with a secret or another certificate`);
  }
  loggedIn(c, s, want);
  c.log(`claimed ${want} by certificate from ${s.host} (id ${s.id})`);
  return { ok: true, account: want, created: true };
}

function loggedIn(c: CoreParts, s: Session, account: string): void {
  s.account = account;
  ownerFloor(c, s);
  if (s.registered) publishUser(c, s, "account", account);
}

/**
 * Private history follows the owner: holding their own nick, a session reads
 * its private conversations from when the nick was claimed, across sessions
 * and restarts. Whatever an earlier, unowned holder received stays hidden.
 */
export function ownerFloor(c: CoreParts, s: Session): void {
  if (s.folded === undefined || !owns(s, s.folded)) return;
  const claim = c.accounts.claim(s.folded, c.now());
  // No msgid marks the claim's moment, so its whole millisecond counts as the
  // owner's: a claim succeeds only for a nick nobody else holds (or the claimer
  // holds), so nothing of that millisecond was someone else's. Hiding it instead
  // hid the owner's first message when it came in the claim's millisecond.
  if (claim !== undefined) s.setFloor(floorAt(claim.created - 1, ""));
}

function loggedOut(c: CoreParts, s: Session): void {
  s.account = null;
  if (s.registered) publishUser(c, s, "account", "");
}

/**
 * Registration is about to complete: a claimed nick is kept for its owner.
 * Returns false (after telling the user, and dropping the nick so they can
 * pick another) when `s` may not have its nick. The owner's own stale session
 * holding the account's nick is closed and `s` takes the nick.
 */
export function admitNick(c: CoreParts, s: Session): boolean {
  if (s.account !== null) {
    const folded = foldCase(s.account);
    const stale = c.registry.holder(s.account);
    if (stale !== undefined && stale !== s && owns(stale, folded)) {
      takeOver(c, s, stale);
      c.registry.releaseNick(s);
      c.registry.claimNick(s, folded);
      s.setIdentity(s.account, folded);
      ownerFloor(c, s);
    }
  }
  if (s.folded === undefined || s.nick === undefined) return false;
  const claim = c.accounts.claim(s.folded, c.now());
  if (claim === undefined || owns(s, s.folded)) return true;
  const nick = s.nick;
  c.registry.releaseNick(s);
  s.nick = undefined;
  s.folded = undefined;
  // Told after dropping it: the client has no nick now (433 *), and must pick one.
  s.front.error(claimedError(nick));
  return false;
}

/**
 * Just registered as the owner of their nick: the private messages kept while
 * they were away, with their original time. After the current turn, so they
 * follow the welcome the front is about to send.
 */
export function deliverOffline(c: CoreParts, s: Session): void {
  if (s.folded === undefined || !owns(s, s.folded)) return;
  const kept = c.accounts.store.takeOffline(s.folded);
  if (kept.length === 0) return;
  queueMicrotask(() => {
    for (const m of kept) {
      if (s.gone) return;
      const bytes = s.front.render({
        ...m,
        type: "message",
        target: s.nick ?? m.target,
        origin: { node: "offline", conn: 0 },
      });
      if (bytes !== null) s.conn.send(bytes);
    }
  });
}

/** NICK by a registered user: a claimed nick only for its owner, who may take it from a stale session. */
export function checkNickChange(c: CoreParts, s: Session, nick: string): void {
  const folded = foldCase(nick);
  if (c.accounts.claim(folded, c.now()) === undefined) return;
  if (!owns(s, folded)) throw claimedError(nick);
  const stale = c.registry.holder(nick);
  if (stale !== undefined && stale !== s && owns(stale, folded)) takeOver(c, s, stale);
}

function takeOver(c: CoreParts, s: Session, stale: Session): void {
  c.log(`${s.account} reconnected from ${s.host} (id ${s.id}); closing id ${stale.id}`);
  if (stale.front.kind === "plain") stale.front.notice("You reconnected elsewhere.");
  c.disconnect(stale, "reconnected elsewhere");
}

export function claimedError(nick: string): ChatError {
  return new ChatError("nickClaimed", [nick], `Nickname ${nick} is claimed by its owner`);
}

/** The owner drops their claim: the nick stays theirs for this session only. */
export function unclaim(c: CoreParts, s: Session): string {
  if (s.account === null) {
    throw new ChatError(
      "notLoggedIn",
      [],
      "You have not claimed a nick, so there is nothing to drop",
    );
  }
  const account = s.account;
  c.accounts.release(foldCase(account));
  loggedOut(c, s);
  c.log(`unclaimed ${account} (id ${s.id})`);
  return account;
}

/** RELEASE <nick> by an operator: the claim is dropped and whoever is logged in to it is logged out. */
export function release(c: CoreParts, s: Session, nick: string): string {
  const folded = foldCase(nick);
  const claim = c.accounts.claim(folded, c.now());
  if (claim === undefined || !c.accounts.release(folded)) {
    throw new ChatError("notClaimed", [nick], `${nick} is not claimed`);
  }
  for (const other of c.registry.sessions) if (owns(other, folded)) loggedOut(c, other);
  c.log(`released ${claim.nick} by ${s.nick ?? "an operator"}`);
  return claim.nick;
}
