/**
 * Trust on first use, like SSH's known_hosts. The file
 * `$XDG_CONFIG_HOME/chat/known_servers` holds one `host:port SHA256:hex` a line
 * (`[v6]:port` for IPv6; `#` starts a comment). The first time `chat join --tls`
 * meets a self-signed server it shows the fingerprint and asks; the answer is
 * remembered, and a later different fingerprint for the same host:port is
 * refused loudly, because that is exactly what an impersonator looks like.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { fingerprintForHumans, fingerprintOfDer, normalizeFingerprint } from "./fingerprint.ts";

export type KnownLookup =
  | { kind: "unknown" }
  | { kind: "match"; line: number }
  | { kind: "changed"; expected: string; line: number };

export interface KnownEntry {
  key: string;
  fingerprint: string;
  /** 1-based line in the file, for "remove line N" advice. */
  line: number;
}

/** `host:port`, with brackets around IPv6 addresses. */
export function serverKey(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${h.toLowerCase()}:${port}`;
}

/** Parse the file's text; lines that do not parse are skipped, not fatal. */
export function parseKnownServers(text: string): KnownEntry[] {
  const out: KnownEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = (lines[i] ?? "").trim();
    if (l === "" || l.startsWith("#")) continue;
    const [key, fp] = l.split(/\s+/);
    if (key === undefined || fp === undefined) continue;
    const norm = normalizeFingerprint(fp);
    if (norm === undefined) continue;
    out.push({ key: key.toLowerCase(), fingerprint: norm, line: i + 1 });
  }
  return out;
}

export function lookupIn(entries: readonly KnownEntry[], key: string, fp: string): KnownLookup {
  let first: KnownEntry | undefined;
  for (const e of entries) {
    if (e.key !== key) continue;
    if (e.fingerprint === fp) return { kind: "match", line: e.line };
    first ??= e;
  }
  if (first === undefined) return { kind: "unknown" };
  return { kind: "changed", expected: first.fingerprint, line: first.line };
}

export function formatEntry(key: string, fp: string): string {
  return `${key} ${fp}\n`;
}

/** The known_servers file. */
export class KnownServers {
  constructor(readonly path: string) {}

  async entries(): Promise<KnownEntry[]> {
    try {
      return parseKnownServers(await readFile(this.path, "utf8"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  async lookup(host: string, port: number, fingerprint: string): Promise<KnownLookup> {
    return lookupIn(await this.entries(), serverKey(host, port), fingerprint);
  }

  async remember(host: string, port: number, fingerprint: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // Appending one whole line is atomic enough: two clients trusting at once
    // each add their line and both lines are valid.
    await appendFile(this.path, formatEntry(serverKey(host, port), fingerprint), { mode: 0o600 });
  }
}

export type TrustHow = "insecure" | "pinned" | "system-roots" | "known" | "first-use";

export type TrustRefusal = "fingerprint-mismatch" | "changed" | "declined" | "no-certificate";

export type TrustResult =
  | { ok: true; how: TrustHow; fingerprint: string }
  | { ok: false; reason: TrustRefusal; fingerprint: string; message: string };

export interface VerifyInput {
  host: string;
  port: number;
  /** What the TLS socket's getPeerCertificate() returned (needs `raw`). */
  peerCertificate: PeerCertificate | undefined;
  /**
   * The chain error the TLS layer reported with rejectUnauthorized off (Bun's
   * handshake `authorizationError`), or null when the chain reaches a system root.
   */
  chainError: Error | null;
  /** `--fp`, in any form normalizeFingerprint accepts. */
  expectedFingerprint?: string | undefined;
  insecure: boolean;
  /** Asks the user a yes/no question; resolve false when nobody can answer. */
  ask: (question: string) => Promise<boolean>;
  store: KnownServers;
}

/**
 * Decide whether to trust the server the client just shook hands with. Order:
 * --insecure; --fp (exact pin); a chain to a system root whose name matches;
 * known_servers; and only then ask the user once.
 */
export async function verifyServer(input: VerifyInput): Promise<TrustResult> {
  const raw = input.peerCertificate?.raw;
  if (raw === undefined || raw.length === 0) {
    if (input.insecure) return { ok: true, how: "insecure", fingerprint: "" };
    return {
      ok: false,
      reason: "no-certificate",
      fingerprint: "",
      message: `${serverKey(input.host, input.port)} sent no certificate`,
    };
  }
  const fp = fingerprintOfDer(raw);
  const where = serverKey(input.host, input.port);
  if (input.insecure) return { ok: true, how: "insecure", fingerprint: fp };

  if (input.expectedFingerprint !== undefined) {
    const want = normalizeFingerprint(input.expectedFingerprint);
    if (want === fp) return { ok: true, how: "pinned", fingerprint: fp };
    return {
      ok: false,
      reason: "fingerprint-mismatch",
      fingerprint: fp,
      message: [
        `TLS FINGERPRINT MISMATCH for ${where}: refusing to connect.`,
        `  expected (--fp): ${want ?? input.expectedFingerprint}`,
        `  server sent:     ${fp}`,
        "Someone may be impersonating the server. Check the fingerprint with its host.",
      ].join("\n"),
    };
  }

  if (input.chainError === null && input.peerCertificate !== undefined) {
    const nameError = checkServerIdentity(input.host, input.peerCertificate);
    if (nameError === undefined) return { ok: true, how: "system-roots", fingerprint: fp };
  }

  const known = await input.store.lookup(input.host, input.port, fp);
  if (known.kind === "match") return { ok: true, how: "known", fingerprint: fp };
  if (known.kind === "changed") {
    return {
      ok: false,
      reason: "changed",
      fingerprint: fp,
      message: [
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
        "@   WARNING: THE SERVER'S CERTIFICATE HAS CHANGED!        @",
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
        `Someone could be impersonating ${where} (a man-in-the-middle attack),`,
        "or its owner made a new certificate. Refusing to connect.",
        `  remembered: ${known.expected}`,
        `  now:        ${fp}`,
        `If the owner confirms the new fingerprint, remove line ${known.line} of ${input.store.path}`,
        `or connect with --fp ${fp}`,
      ].join("\n"),
    };
  }

  const question = [
    `The server ${where} has a certificate no trusted authority vouches for.`,
    `Its fingerprint is ${fp}`,
    `            (${fingerprintForHumans(fp)})`,
    "Compare it with the one the server's host printed (`chat join ... --fp SHA256:...`).",
    "Trust this server and remember it?",
  ].join("\n");
  if (!(await input.ask(question))) {
    return {
      ok: false,
      reason: "declined",
      fingerprint: fp,
      message: `not trusted: ${where} (${fp}); to trust it without a prompt, use --fp ${fp}`,
    };
  }
  await input.store.remember(input.host, input.port, fp);
  return { ok: true, how: "first-use", fingerprint: fp };
}
