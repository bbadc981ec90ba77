import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PeerCertificate } from "node:tls";
import { fingerprintOfDer } from "../../../src/security/fingerprint.ts";
import {
  KnownServers,
  parseKnownServers,
  serverKey,
  verifyServer,
} from "../../../src/security/known-servers.ts";

const dirs: string[] = [];
function store(): KnownServers {
  const d = mkdtempSync(join(tmpdir(), "chat-known-"));
  dirs.push(d);
  return new KnownServers(join(d, "config", "chat", "known_servers"));
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Only `raw` matters for fingerprinting; these are stand-ins for two servers' certificates.
const certA = { raw: Buffer.from("certificate A") } as unknown as PeerCertificate;
const certB = { raw: Buffer.from("certificate B") } as unknown as PeerCertificate;
const fpA = fingerprintOfDer(certA.raw);
const fpB = fingerprintOfDer(certB.raw);
const selfSigned = new Error("self signed certificate");

function asker(answer: boolean): { ask: (q: string) => Promise<boolean>; questions: string[] } {
  const questions: string[] = [];
  return {
    questions,
    ask: async (q: string) => {
      questions.push(q);
      return answer;
    },
  };
}

describe("known_servers file", () => {
  test("keys are host:port with IPv6 bracketed; junk lines and comments are skipped", () => {
    expect(serverKey("Example.ORG", 6697)).toBe("example.org:6697");
    expect(serverKey("::1", 6667)).toBe("[::1]:6667");
    const entries = parseKnownServers(
      `# comment\n\nhost:1 ${fpA}\nbroken line\nhost:2 SHA256:zz\n`,
    );
    expect(entries).toEqual([{ key: "host:1", fingerprint: fpA, line: 3 }]);
  });
});

describe("verifyServer (trust on first use)", () => {
  test("first contact asks once showing the fingerprint; yes is remembered, no prompt next time", async () => {
    const s = store();
    const a = asker(true);
    const base = {
      host: "127.0.0.1",
      port: 7000,
      chainError: selfSigned,
      insecure: false,
      store: s,
    };
    const first = await verifyServer({ ...base, peerCertificate: certA, ask: a.ask });
    expect(first).toEqual({ ok: true, how: "first-use", fingerprint: fpA });
    expect(a.questions).toHaveLength(1);
    expect(a.questions[0]).toContain(fpA);
    expect(readFileSync(s.path, "utf8")).toBe(`127.0.0.1:7000 ${fpA}\n`);

    const second = await verifyServer({ ...base, peerCertificate: certA, ask: a.ask });
    expect(second.ok && second.how).toBe("known");
    expect(a.questions).toHaveLength(1);
  });

  test("declining refuses and remembers nothing", async () => {
    const s = store();
    const r = await verifyServer({
      host: "h",
      port: 1,
      chainError: selfSigned,
      insecure: false,
      store: s,
      peerCertificate: certA,
      ask: asker(false).ask,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe("declined");
      expect(r.message).toContain(`--fp ${fpA}`);
    }
    expect(await s.entries()).toEqual([]);
  });

  test("a changed fingerprint is refused loudly without asking", async () => {
    const s = store();
    await s.remember("h", 1, fpA);
    const a = asker(true);
    const r = await verifyServer({
      host: "h",
      port: 1,
      chainError: selfSigned,
      insecure: false,
      store: s,
      peerCertificate: certB,
      ask: a.ask,
    });
    expect(a.questions).toHaveLength(0);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe("changed");
      expect(r.message).toContain("HAS CHANGED");
      expect(r.message).toContain(fpA);
      expect(r.message).toContain(fpB);
      expect(r.message).toContain(s.path);
    }
    // The same host on another port is a different server.
    const other = await verifyServer({
      host: "h",
      port: 2,
      chainError: selfSigned,
      insecure: false,
      store: s,
      peerCertificate: certB,
      ask: asker(true).ask,
    });
    expect(other.ok).toBe(true);
  });

  test("--fp pins exactly, in any case or with colons; a mismatch is refused", async () => {
    const s = store();
    const base = { host: "h", port: 1, chainError: selfSigned, insecure: false, store: s };
    const colon = `SHA256:${(fpA.slice(7).toUpperCase().match(/../g) ?? []).join(":")}`;
    const ok = await verifyServer({
      ...base,
      peerCertificate: certA,
      expectedFingerprint: colon,
      ask: asker(false).ask,
    });
    expect(ok.ok && ok.how).toBe("pinned");
    const bad = await verifyServer({
      ...base,
      peerCertificate: certB,
      expectedFingerprint: fpA,
      ask: asker(true).ask,
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toBe("fingerprint-mismatch");
  });

  test("--insecure accepts anything, even a changed fingerprint", async () => {
    const s = store();
    await s.remember("h", 1, fpA);
    const r = await verifyServer({
      host: "h",
      port: 1,
      chainError: selfSigned,
      insecure: true,
      store: s,
      peerCertificate: certB,
      ask: asker(false).ask,
    });
    expect(r.ok && r.how).toBe("insecure");
  });

  test("a chain to a system root is trusted only when the name matches", async () => {
    const s = store();
    const named = {
      raw: Buffer.from("ca-signed"),
      subject: { CN: "chat.example.org" },
      subjectaltname: "DNS:chat.example.org",
    } as unknown as PeerCertificate;
    const good = await verifyServer({
      host: "chat.example.org",
      port: 6697,
      chainError: null,
      insecure: false,
      store: s,
      peerCertificate: named,
      ask: asker(false).ask,
    });
    expect(good.ok && good.how).toBe("system-roots");
    const a = asker(false);
    const wrongName = await verifyServer({
      host: "evil.example.net",
      port: 6697,
      chainError: null,
      insecure: false,
      store: s,
      peerCertificate: named,
      ask: a.ask,
    });
    expect(wrongName.ok).toBe(false);
    expect(a.questions).toHaveLength(1);
  });

  test("entries written by hand with colons and upper case still match", async () => {
    const s = store();
    await s.remember("x", 9, fpB); // creates the folders
    writeFileSync(s.path, `X:9 ${fpA.toUpperCase()}\n`);
    expect((await s.lookup("x", 9, fpA)).kind).toBe("match");
  });
});
