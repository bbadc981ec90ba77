/**
 * Telling an HTTP request from IRC, plain text or TLS by a connection's first
 * bytes. Pure. Browsers send the whole request line at once, so one chunk is
 * enough; an IRC client never starts with an HTTP method followed by a path.
 */

const METHODS: readonly string[] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

const encoder = new TextEncoder();
const PREFIXES: readonly Uint8Array[] = METHODS.map((m) => encoder.encode(`${m} /`));

/** Whether `chunk` starts like an HTTP/1.x request line ("GET /..."). */
export function looksLikeHttp(chunk: Uint8Array): boolean {
  return PREFIXES.some((p) => startsWith(chunk, p));
}

function startsWith(chunk: Uint8Array, prefix: Uint8Array): boolean {
  if (chunk.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (chunk[i] !== prefix[i]) return false;
  return true;
}
