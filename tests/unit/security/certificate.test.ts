import { afterEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FatalError } from "../../../src/cli/usage-error.ts";
import { CERT_FILE, ensureSelfSigned, loadTlsFiles } from "../../../src/security/certificate.ts";
import {
  fingerprintForHumans,
  fingerprintOfPem,
  normalizeFingerprint,
} from "../../../src/security/fingerprint.ts";
import { certDir, defaultDataDir, knownServersPath } from "../../../src/security/paths.ts";
import { resolveTlsIdentity, tlsInviteLine } from "../../../src/security/serve-tls.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "chat-cert-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function opensslFingerprint(certPath: string): string {
  const out = execFileSync(
    "openssl",
    ["x509", "-in", certPath, "-noout", "-fingerprint", "-sha256"],
    {
      encoding: "utf8",
    },
  );
  const hex = out.trim().split("=")[1] ?? "";
  return `SHA256:${hex.replaceAll(":", "").toLowerCase()}`;
}

describe("self-signed certificate", () => {
  test("is made once, kept with a private key file, and reused with the same fingerprint", async () => {
    const dir = join(tempDir(), "nested", "chat");
    const first = await ensureSelfSigned(dir, "test-host");
    expect(first.created).toBe(true);
    expect(first.fingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
    expect(first.certPath).toBe(join(dir, CERT_FILE));
    expect(statSync(first.keyPath).mode & 0o077).toBe(0);
    // The fingerprint users are told matches what openssl computes.
    expect(opensslFingerprint(first.certPath)).toBe(first.fingerprint);

    const again = await ensureSelfSigned(dir, "test-host");
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.cert).toBe(first.cert);
  });

  test("refuses to silently replace half an identity", async () => {
    const dir = tempDir();
    const made = await ensureSelfSigned(dir, "x");
    rmSync(made.keyPath);
    await expect(ensureSelfSigned(dir, "x")).rejects.toThrow(/remove both/);
  });
});

describe("--tls-cert/--tls-key files", () => {
  test("an openssl pair loads with its fingerprint", async () => {
    const dir = tempDir();
    const cert = join(dir, "c.pem");
    const key = join(dir, "k.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
      ],
      { stdio: "ignore" },
    );
    const id = await loadTlsFiles(cert, key);
    expect(id.fingerprint).toBe(opensslFingerprint(cert));
    expect(fingerprintOfPem(id.cert)).toBe(id.fingerprint);
  });

  test("a missing file or a key that does not match is a clear error", async () => {
    const dir = tempDir();
    const a = await ensureSelfSigned(join(dir, "a"), "a");
    const b = await ensureSelfSigned(join(dir, "b"), "b");
    await expect(loadTlsFiles(join(dir, "nope.pem"), a.keyPath)).rejects.toThrow(/no such file/);
    await expect(loadTlsFiles(a.certPath, b.keyPath)).rejects.toThrow(/not the private key/);
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "hello");
    await expect(loadTlsFiles(junk, a.keyPath)).rejects.toBeInstanceOf(FatalError);
  });
});

describe("fingerprints and paths", () => {
  test("user-typed forms normalise to SHA256:<lower hex>", () => {
    const hex = "AB".repeat(32);
    const want = `SHA256:${"ab".repeat(32)}`;
    expect(normalizeFingerprint(`sha256:${hex}`)).toBe(want);
    expect(normalizeFingerprint((hex.match(/../g) ?? []).join(":"))).toBe(want);
    expect(normalizeFingerprint("SHA256:abc")).toBeUndefined();
    expect(fingerprintForHumans(want)).toBe(`SHA256:${Array(32).fill("ab").join(":")}`);
  });

  test("the certificate lives beside the database, or in the data folder for :memory:", () => {
    const env = { HOME: "/home/u" };
    expect(defaultDataDir(env)).toBe("/home/u/.local/share/chat");
    expect(defaultDataDir({ ...env, XDG_DATA_HOME: "/x" })).toBe("/x/chat");
    expect(certDir("/srv/chat/chat.db", env)).toBe("/srv/chat");
    expect(certDir(":memory:", env)).toBe("/home/u/.local/share/chat");
    expect(certDir(undefined, { XDG_DATA_HOME: "/d" })).toBe("/d/chat");
    expect(knownServersPath(env)).toBe("/home/u/.config/chat/known_servers");
    expect(knownServersPath({ ...env, XDG_CONFIG_HOME: "/c" })).toBe("/c/chat/known_servers");
  });
});

describe("serve --tls", () => {
  test("without files the kept self-signed identity is used; the invite line carries its fingerprint", async () => {
    const dir = tempDir();
    const env = { XDG_DATA_HOME: dir, HOME: "/nonexistent" };
    expect(await resolveTlsIdentity({ tls: false }, env)).toBeUndefined();
    const a = await resolveTlsIdentity({ tls: true, db: ":memory:" }, env);
    const b = await resolveTlsIdentity({ tls: true }, env);
    expect(a?.certPath).toBe(join(dir, "chat", CERT_FILE));
    expect(b?.fingerprint).toBe(a?.fingerprint as string);
    const beside = await resolveTlsIdentity({ tls: true, db: join(dir, "srv", "chat.db") }, env);
    expect(beside?.certPath).toBe(join(dir, "srv", CERT_FILE));
    expect(tlsInviteLine("192.168.1.20", 6667, "SHA256:ab")).toBe(
      "chat join 192.168.1.20:6667 --tls --fp SHA256:ab",
    );
    expect(tlsInviteLine("fe80::1", 6667, "SHA256:ab")).toBe(
      "chat join [fe80::1]:6667 --tls --fp SHA256:ab",
    );
  });
});

describe("a certificate folder that cannot exist", () => {
  test("is one clear error naming the path, not a stack trace", async () => {
    // A path below a regular file can never be created, even by root.
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "x");
    const attempt = ensureSelfSigned(join(dir, "file", "chat"), "x");
    await expect(attempt).rejects.toBeInstanceOf(FatalError);
    await expect(attempt).rejects.toThrow(join(dir, "file", "chat"));
  });
});
