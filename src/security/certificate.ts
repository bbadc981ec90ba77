/**
 * The server's TLS identity: either the PEM files given with --tls-cert and
 * --tls-key, or a self-signed certificate made on first start and reused after.
 *
 * Generation uses node-forge to build and sign the X.509 structure, with the
 * RSA key pair itself made by node:crypto (native, ~0.1 s). Why node-forge: one
 * dependency with no transitive packages, no global polyfills, and it works
 * unchanged inside `bun build --compile`. (@peculiar/x509 was tried first: it
 * pulls a dozen packages and needs a `reflect-metadata` global polyfill before
 * it will load, which broke the compiled binary.)
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { FatalError } from "../cli/usage-error.ts";
import { fingerprintOfDer } from "./fingerprint.ts";

export interface TlsIdentity {
  cert: string;
  key: string;
  /** `SHA256:<hex>` of the certificate, for the invite line. */
  fingerprint: string;
  certPath: string;
  keyPath: string;
  /** True when this start made the certificate. */
  created: boolean;
}

export const CERT_FILE = "tls-cert.pem";
export const KEY_FILE = "tls-key.pem";

const VALID_DAYS = 3650;

/**
 * A self-signed certificate and its key as PEM texts. Pure apart from randomness.
 * node-forge is imported here, not at the top: parsing it takes ~70 ms, which
 * every `chat serve` would otherwise pay even without --tls.
 */
export async function makeSelfSigned(
  commonName: string,
  now: Date = new Date(),
): Promise<{ cert: string; key: string }> {
  const { default: forge } = await import("node-forge");
  const pair = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  // A random positive serial: two servers made on the same second still differ.
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  const subject = [
    { name: "commonName", value: commonName },
    { name: "organizationName", value: "chat (self-signed)" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const names = new Set(["localhost", commonName]);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        ...[...names].map((value) => ({ type: 2, value })),
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(pair.privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: pair.privateKey };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new FatalError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Check that a PEM pair is usable and belongs together; returns the fingerprint. */
export function checkPair(cert: string, key: string, certPath: string, keyPath: string): string {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new FatalError(`${certPath} is not a PEM certificate: ${(err as Error).message}`);
  }
  let priv: ReturnType<typeof createPrivateKey>;
  try {
    priv = createPrivateKey(key);
  } catch (err) {
    throw new FatalError(`${keyPath} is not a PEM private key: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(priv)) {
    throw new FatalError(`${keyPath} is not the private key of the certificate in ${certPath}`);
  }
  return fingerprintOfDer(x509.raw);
}

/** Load --tls-cert / --tls-key. */
export async function loadTlsFiles(certPath: string, keyPath: string): Promise<TlsIdentity> {
  const cert = await readIfExists(certPath);
  if (cert === undefined) throw new FatalError(`--tls-cert ${certPath}: no such file`);
  const key = await readIfExists(keyPath);
  if (key === undefined) throw new FatalError(`--tls-key ${keyPath}: no such file`);
  const fingerprint = checkPair(cert, key, certPath, keyPath);
  return { cert, key, fingerprint, certPath, keyPath, created: false };
}

/**
 * The self-signed identity kept in `dir`: made on first call, read afterwards,
 * so the fingerprint guests remembered stays valid across restarts.
 */
export async function ensureSelfSigned(
  dir: string,
  commonName: string = hostname() || "localhost",
): Promise<TlsIdentity> {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  const cert = await readIfExists(certPath);
  const key = await readIfExists(keyPath);
  if (cert !== undefined && key !== undefined) {
    const fingerprint = checkPair(cert, key, certPath, keyPath);
    return { cert, key, fingerprint, certPath, keyPath, created: false };
  }
  if (cert !== undefined || key !== undefined) {
    // Half an identity: silently replacing it would change the fingerprint
    // every guest remembered, so make the operator decide.
    const missing = cert === undefined ? certPath : keyPath;
    throw new FatalError(
      `${missing} is missing but its partner exists; remove both ${certPath} and ${keyPath} to make a new certificate (guests will see a changed fingerprint)`,
    );
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new FatalError(`cannot create ${dir} for the TLS certificate: ${(err as Error).message}`);
  }
  const made = await makeSelfSigned(commonName);
  // Write to temporary names, then rename: a crash never leaves half a file,
  // and two servers starting together cannot interleave their writes.
  const suffix = `.${process.pid}.tmp`;
  try {
    await writeFile(keyPath + suffix, made.key, { mode: 0o600 });
    await chmod(keyPath + suffix, 0o600);
    await writeFile(certPath + suffix, made.cert, { mode: 0o644 });
    await rename(keyPath + suffix, keyPath);
    await rename(certPath + suffix, certPath);
  } catch (err) {
    throw new FatalError(
      `cannot save the TLS certificate in ${dir}: ${(err as Error).message}; use --tls-cert/--tls-key or a writable --db folder`,
    );
  }
  const fingerprint = checkPair(made.cert, made.key, certPath, keyPath);
  return { cert: made.cert, key: made.key, fingerprint, certPath, keyPath, created: true };
}
