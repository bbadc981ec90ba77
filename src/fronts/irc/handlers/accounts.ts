/**
 * Owned nicks over IRC: SASL PLAIN and EXTERNAL during registration (SASL 3.1:
 * 900/903/904/905/906/907/908, payloads in 400-byte chunks), REGISTER from
 * draft/account-registration (`REGISTER * * SECRET` claims your nick),
 * UNCLAIM for the owner and RELEASE for operators. The nick is the account.
 *
 * A secret is decoded here and handed straight to the core; no reply, log or
 * error repeats it.
 */
import { type AuthResult, ChatError } from "../../../core/api.ts";
import { foldCase } from "../../../protocol/casemap.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { ERR, RPL } from "../../../protocol/numerics.ts";
import type { CommandContext, IrcReplies } from "../context.ts";

/** One AUTHENTICATE chunk, as SASL 3.1 cuts them; a chunk of exactly this size means more follows. */
const CHUNK = 400;
/** A whole payload: PLAIN needs three short fields, so anything longer is abuse. */
const MAX_PAYLOAD = 4 * CHUNK;
const MECHS = "PLAIN,EXTERNAL";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function failed(irc: IrcReplies, why: string): void {
  irc.reply(ERR.SASLFAIL, `SASL authentication failed: ${why}`);
}

function loggedIn(ctx: CommandContext, account: string): void {
  const { core, irc } = ctx;
  const mask = core.prefix === "" ? `${core.nick ?? "*"}!*@${core.host}` : core.prefix;
  irc.reply(RPL.LOGGEDIN, mask, account, `You are now logged in as ${account}`);
}

// AUTHENTICATE <mechanism> | AUTHENTICATE <base64 chunk> | AUTHENTICATE + | AUTHENTICATE *
export function authenticate(ctx: CommandContext, msg: IrcMessage): void | Promise<void> {
  const { core, irc } = ctx;
  const arg = msg.params[0] ?? "";
  if (arg === "*") {
    irc.sasl = undefined;
    irc.reply(ERR.SASLABORTED, "SASL authentication aborted");
    return;
  }
  if (core.account !== null) {
    irc.reply(ERR.SASLALREADY, "You have already authenticated using SASL");
    return;
  }
  if (core.registered) {
    failed(irc, "SASL is only available before registration completes; use REGISTER * * <secret>");
    return;
  }
  const state = irc.sasl;
  if (state === undefined) {
    const mech = arg.toUpperCase();
    if (mech !== "PLAIN" && mech !== "EXTERNAL") {
      irc.reply(RPL.SASLMECHS, MECHS, "are available SASL mechanisms");
      failed(irc, `unknown mechanism ${arg === "" ? "(none)" : arg}`);
      return;
    }
    irc.sasl = { mech, buffer: "" };
    irc.raw("AUTHENTICATE +");
    return;
  }
  if (Buffer.byteLength(arg) > CHUNK || state.buffer.length + arg.length > MAX_PAYLOAD) {
    irc.sasl = undefined;
    irc.reply(ERR.SASLTOOLONG, "SASL message too long");
    return;
  }
  if (arg !== "+") state.buffer += arg;
  if (arg.length === CHUNK) return; // more follows
  irc.sasl = undefined;
  if (!BASE64.test(state.buffer)) {
    failed(irc, "the payload is not valid base64");
    return;
  }
  const payload = Buffer.from(state.buffer, "base64").toString("utf8");
  if (state.mech === "EXTERNAL") {
    answer(ctx, core.authenticateCert(payload === "" ? undefined : payload, irc.password));
    return;
  }
  const fields = payload.split("\0");
  const [authzid, authcid, secret] = fields;
  if (fields.length !== 3 || authcid === undefined || authcid === "" || !secret) {
    failed(irc, "PLAIN needs authzid NUL nick NUL secret, base64-encoded");
    return;
  }
  if (authzid !== "" && authzid !== undefined && foldCase(authzid) !== foldCase(authcid)) {
    failed(irc, "the authorization identity must be empty or the same nick");
    return;
  }
  return core
    .authenticate(authcid, secret, "either", irc.password)
    .then((result) => answer(ctx, result));
}

function answer(ctx: CommandContext, result: AuthResult): void {
  if (!result.ok) {
    failed(ctx.irc, result.message);
    return;
  }
  loggedIn(ctx, result.account);
  ctx.irc.reply(RPL.SASLSUCCESS, "SASL authentication successful");
}

/** A registration still inside SASL when it completes is aborted (SASL 3.1). */
export function abortSasl(irc: IrcReplies): void {
  if (irc.sasl === undefined) return;
  irc.sasl = undefined;
  irc.reply(ERR.SASLABORTED, "SASL authentication aborted");
}

const REGISTER_CODES: Record<Exclude<AuthResult, { ok: true }>["reason"], string> = {
  claimed: "ACCOUNT_EXISTS",
  taken: "ACCOUNT_EXISTS",
  already: "ALREADY_AUTHENTICATED",
  weak: "WEAK_PASSWORD",
  invalid: "BAD_ACCOUNT_NAME",
  throttled: "TEMPORARILY_UNAVAILABLE",
  wrong: "ACCOUNT_EXISTS",
  unclaimed: "BAD_ACCOUNT_NAME",
  nocert: "BAD_ACCOUNT_NAME",
  // before-connect forbids COMPLETE_CONNECTION_REQUIRED; REGISTER works once PASS is right.
  password: "TEMPORARILY_UNAVAILABLE",
};

// REGISTER <account> <email> <password>   (account: * or your nick; email ignored)
export function register(ctx: CommandContext, msg: IrcMessage): void | Promise<void> {
  const { core, irc } = ctx;
  const wanted = msg.params[0] ?? "*";
  const nick = core.nick;
  const fail = (code: string, text: string): void =>
    irc.msg("FAIL", ["REGISTER", code, wanted, text]);
  if (nick === undefined) {
    fail("NEED_NICK", "Choose a nick with NICK first; the nick is the account name");
    return;
  }
  if (wanted !== "*" && foldCase(wanted) !== foldCase(nick)) {
    fail("ACCOUNT_NAME_MUST_BE_NICK", `The account name is your nick: use * or ${nick}`);
    return;
  }
  return core.authenticate(nick, msg.params[2] ?? "", "claim", irc.password).then((result) => {
    if (!result.ok) {
      fail(REGISTER_CODES[result.reason], result.message);
      return;
    }
    irc.msg("REGISTER", ["SUCCESS", result.account, `You now own the nick ${result.account}`]);
    loggedIn(ctx, result.account);
  });
}

// UNCLAIM   (the owner gives their nick up; it stays theirs until they leave)
export function unclaim(ctx: CommandContext, _msg: IrcMessage): void {
  const { core, irc } = ctx;
  let account: string;
  try {
    account = core.unclaim();
  } catch (err) {
    if (!(err instanceof ChatError) || err.code !== "notLoggedIn") throw err;
    irc.msg("FAIL", ["UNCLAIM", "NOT_LOGGED_IN", err.message]);
    return;
  }
  irc.reply(RPL.LOGGEDOUT, core.prefix, "You are now logged out");
  irc.notice(`You no longer own the nick ${account}; anyone may claim it once you leave it.`);
}

// RELEASE <nick>   (operators: drop a claim)
export function release(ctx: CommandContext, msg: IrcMessage): void {
  const nick = ctx.core.release(msg.params[0] ?? "");
  ctx.irc.notice(`Released the claim on ${nick}`);
}
