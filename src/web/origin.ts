/**
 * Which pages may open a WebSocket to us. A browser always sends Origin; by
 * default only the page we serve (same host) may connect, so a site a user
 * happens to visit cannot chat in their name. `--web-origin` adds others (a
 * hosted gamja or Kiwi IRC), or `*` for any. Non-browser clients send no
 * Origin and are let in: they are no different from a TCP client. Pure.
 */

/** `allowed`: extra origins exactly as a browser sends them (`https://kiwiirc.com`), or `*`. */
export function originAllowed(
  origin: string | null,
  host: string | null,
  allowed: readonly string[],
): boolean {
  if (origin === null) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  if (host === null) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host === host.toLowerCase();
  } catch {
    return false;
  }
}
