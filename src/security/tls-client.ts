/**
 * The client side of TLS for `chat join --tls`: how to open the connection and
 * how to decide, right after the handshake and BEFORE anything (a password!) is
 * sent, whether this is the server the user meant.
 *
 * Usage with Bun.connect:
 *   Bun.connect({ hostname, port, tls: tlsConnectOptions(hostname), socket: {
 *     async handshake(sock, _ok, authorizationError) {
 *       const trust = await checkServerTrust(sock, authorizationError, policy);
 *       if (!trust.ok) { print(trust.message); sock.end(); exit 1 }
 *       else start registration (PASS/NICK/USER)
 *     }, ... } })
 */

import { isIP } from "node:net";
import type { PeerCertificate } from "node:tls";
import { KnownServers, type TrustResult, verifyServer } from "./known-servers.ts";
import { type Env, knownServersPath } from "./paths.ts";

/**
 * Verification is done by checkServerTrust, not by the TLS layer, so that a
 * self-signed server can be trusted on first use; the chain result still comes
 * back as the handshake's authorizationError.
 */
export function tlsConnectOptions(host: string): {
  rejectUnauthorized: false;
  serverName?: string;
} {
  // SNI carries host names only, never IP literals.
  return isIP(host) === 0
    ? { rejectUnauthorized: false, serverName: host }
    : { rejectUnauthorized: false };
}

export interface ClientTrustPolicy {
  host: string;
  port: number;
  /** `--fp`, in any accepted form (JoinConfig keeps bare lower-case hex). */
  fingerprint?: string | undefined;
  insecure: boolean;
  /** Ask the user; resolve false when there is nobody to ask (pipe mode). */
  ask: (question: string) => Promise<boolean>;
  /** Defaults to $XDG_CONFIG_HOME/chat/known_servers from `env`. */
  knownServers?: KnownServers;
  env?: Env;
}

export interface PeerCertificateSource {
  getPeerCertificate(): PeerCertificate | object | null | undefined;
}

export async function checkServerTrust(
  socket: PeerCertificateSource,
  authorizationError: Error | null | undefined,
  policy: ClientTrustPolicy,
): Promise<TrustResult> {
  const cert = socket.getPeerCertificate();
  const peer =
    cert !== null && cert !== undefined && "raw" in cert ? (cert as PeerCertificate) : undefined;
  const store =
    policy.knownServers ?? new KnownServers(knownServersPath(policy.env ?? process.env));
  return verifyServer({
    host: policy.host,
    port: policy.port,
    peerCertificate: peer,
    chainError: authorizationError ?? null,
    expectedFingerprint: policy.fingerprint,
    insecure: policy.insecure,
    ask: policy.ask,
    store,
  });
}

/**
 * A yes/no prompt on a terminal, for the trust-on-first-use question. Reads one
 * line from `input`; anything but y/yes is a no. Not for pipe mode: there stdin
 * is the data to send, so the caller passes an `ask` that resolves false.
 */
export function askYesNo(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<boolean> {
  return new Promise((resolve) => {
    output.write(`${question} (yes/no) `);
    let buf = "";
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf("\n");
      if (nl === -1) return;
      done(/^\s*y(es)?\s*$/i.test(buf.slice(0, nl)));
    };
    const onEnd = (): void => done(false);
    const done = (answer: boolean): void => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.pause();
      resolve(answer);
    };
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}
