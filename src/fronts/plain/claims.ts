/**
 * Owned nicks for people on nc/telnet: a claimed nick asks for its secret
 * (three tries, then another nick), and /claim SECRET and /unclaim once in.
 * The typed secret goes to the core and nowhere else: not echoed, not logged.
 */
import { ChatError, type CoreApi } from "../../core/api.ts";
import type { CommandArgs, PlainContext } from "./context.ts";
import { clean, OWNED } from "./format.ts";

export { OWNED };

/** Tries at a claimed nick's secret before the person is asked for another nick. */
export const SECRET_TRIES = 3;

export function claimHint(nick: string): string {
  return `*** ${clean(nick)} is yours while you are here. To keep it for next time, type /claim SECRET (a phrase of 8 or more characters you will remember).`;
}

export function secretPrompt(owner: string, triesLeft: number): string {
  return triesLeft === SECRET_TRIES
    ? `*** ${clean(owner)} is claimed by its owner. If it is yours, type its secret; otherwise type /nick ANOTHER:`
    : `*** Wrong secret (${triesLeft} ${triesLeft === 1 ? "try" : "tries"} left). Secret, or /nick ANOTHER:`;
}

/** Prove `owner` with `secret`; resolves with the problem to show, or undefined when proved. */
export async function proveSecret(
  core: CoreApi,
  owner: string,
  secret: string,
  serverPassword: string | undefined,
): Promise<{ ok: true } | { ok: false; final: boolean; message: string }> {
  const result = await core.authenticate(owner, secret, "login", serverPassword);
  if (result.ok) return { ok: true };
  return { ok: false, final: result.reason !== "wrong", message: result.message };
}

// /claim SECRET
export function claim(f: PlainContext, { rest }: CommandArgs): void {
  const nick = f.core.nick;
  if (rest === "" || nick === undefined) {
    f.say("*** Usage: /claim SECRET   (keeps your nick for you; next time type it after the nick)");
    return;
  }
  void f.core.authenticate(nick, rest, "claim").then((result) => {
    if (result.ok) {
      f.say(
        `*** You now own ${clean(result.account)} ${OWNED}. Next time, pick ${clean(result.account)} and type your secret when asked.`,
      );
    } else {
      f.say(`*** ${clean(result.message)}.`);
    }
  });
}

// /unclaim
export function unclaim(f: PlainContext): void {
  try {
    const nick = f.core.unclaim();
    f.say(`*** You no longer own ${clean(nick)}; anyone may take it once you leave it.`);
  } catch (err) {
    if (!(err instanceof ChatError)) throw err;
    f.say(`*** ${clean(err.message)}.`);
  }
}
