/**
 * Certificate fingerprints as users see and type them: `SHA256:<64 hex>` over
 * the certificate's DER bytes (the same digest `openssl x509 -fingerprint
 * -sha256` prints, without its colons).
 */
import { createHash, X509Certificate } from "node:crypto";

export const FINGERPRINT_PREFIX = "SHA256:";

/** `SHA256:<lower-case hex>` of a DER-encoded certificate. */
export function fingerprintOfDer(der: Uint8Array): string {
  return FINGERPRINT_PREFIX + createHash("sha256").update(der).digest("hex");
}

/** Fingerprint of the first certificate in a PEM text. */
export function fingerprintOfPem(pem: string): string {
  return fingerprintOfDer(new X509Certificate(pem).raw);
}

/**
 * Normalise what a user typed (`SHA256:AB:CD…`, `abcd…`) to `SHA256:abcd…`;
 * undefined when it is not a SHA-256 fingerprint.
 */
export function normalizeFingerprint(raw: string): string | undefined {
  const m = /^(?:sha256:)?([0-9a-f]{2}(?::?[0-9a-f]{2}){31})$/i.exec(raw.trim());
  if (!m?.[1]) return undefined;
  return FINGERPRINT_PREFIX + m[1].replaceAll(":", "").toLowerCase();
}

/** `ab:cd:…` groups, easier to compare by eye in a prompt. */
export function fingerprintForHumans(fp: string): string {
  const hex = fp.startsWith(FINGERPRINT_PREFIX) ? fp.slice(FINGERPRINT_PREFIX.length) : fp;
  return FINGERPRINT_PREFIX + (hex.match(/../g) ?? []).join(":");
}
