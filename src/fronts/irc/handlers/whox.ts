/**
 * WHOX (ISUPPORT WHOX): `WHO <mask> [<flags>]%<fields>[,<token>]` answers
 * with RPL_WHOSPCRPL (354) carrying only the fields asked for, always in the
 * fixed order t c u i h s n f d l a o r. Pure parsing and formatting.
 */
import type { WhoEntry } from "../../../core/api.ts";

/** Every field, in the order they appear in a 354 reply. */
const ORDER = "tcuihsnfdlaor";

export type WhoxQuery = { fields: string; token: string } | { error: string };

/** The part of WHO's second parameter from `%` on: "%cnf" or "%tnaf,42". */
export function parseWhox(spec: string): WhoxQuery {
  const comma = spec.indexOf(",");
  const letters = spec.slice(1, comma === -1 ? undefined : comma);
  const token = comma === -1 ? "" : spec.slice(comma + 1);
  for (const f of letters) {
    if (!ORDER.includes(f)) return { error: `Unknown WHOX field '${f}'` };
  }
  // The query type is what lets a client match replies to its query: 1-3 digits.
  if (letters.includes("t") && !/^\d{1,3}$/.test(token)) {
    return { error: "The WHOX query type must be 1 to 3 digits" };
  }
  return { fields: [...ORDER].filter((f) => letters.includes(f)).join(""), token };
}

/** The 354 parameters (after the asker's nick) for one entry. */
export function whoxParams(
  q: { fields: string; token: string },
  e: WhoEntry,
  flags: string,
  server: string,
): string[] {
  const out: string[] = [];
  for (const f of q.fields) {
    switch (f) {
      case "t":
        out.push(q.token);
        break;
      case "c":
        out.push(e.channel);
        break;
      case "u":
        out.push(e.user);
        break;
      case "i":
        // The host shown is the peer's address (no reverse DNS).
        out.push(e.host);
        break;
      case "h":
        out.push(e.host);
        break;
      case "s":
        out.push(server);
        break;
      case "n":
        out.push(e.nick);
        break;
      case "f":
        out.push(flags);
        break;
      case "d":
        out.push("0");
        break;
      case "l":
        out.push(String(e.idleSeconds));
        break;
      case "a":
        // No accounts yet: 0 is WHOX's "not logged in".
        out.push("0");
        break;
      case "o":
        out.push("n/a");
        break;
      case "r":
        out.push(e.realname);
        break;
    }
  }
  return out;
}
