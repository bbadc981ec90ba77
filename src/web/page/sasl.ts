/**
 * The owned-nick secret on the page, as `chat join` keeps one: a random secret
 * per nick, made on first use and kept in localStorage, proven (or, the first
 * time, claimed) with SASL PLAIN on every connect and reconnect. The server
 * claims an unclaimed nick for whoever proves a secret for it first.
 */

/** SASL replies that end the exchange: 903 success, 902/904-907 failures. */
export const SASL_DONE = ["902", "903", "904", "905", "906", "907"] as const;

/** A fresh secret: 24 random bytes, base64url (32 characters), like `chat join`'s. */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The AUTHENTICATE lines' parameters for PLAIN: `\0nick\0secret` in base64, 400 per line. */
export function plainChunks(nick: string, secret: string): string[] {
  const payload = base64(new TextEncoder().encode(`\0${nick}\0${secret}`));
  const out: string[] = [];
  for (let i = 0; i < payload.length; i += 400) out.push(payload.slice(i, i + 400));
  // A payload of exactly 400n characters is ended by an empty "+" line.
  if (payload.length % 400 === 0) out.push("+");
  return out;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
