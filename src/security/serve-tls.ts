/**
 * What `chat serve` needs for TLS: the identity to serve (given files or the
 * kept self-signed pair) and the invite line that carries its fingerprint.
 */

import { ensureSelfSigned, loadTlsFiles, type TlsIdentity } from "./certificate.ts";
import { certDir, type Env } from "./paths.ts";

export interface ServeTlsConfig {
  tls: boolean;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  db?: string | undefined;
}

/** undefined when TLS is off. Throws FatalError with an actionable message on bad files. */
export async function resolveTlsIdentity(
  config: ServeTlsConfig,
  env: Env,
): Promise<TlsIdentity | undefined> {
  if (!config.tls) return undefined;
  if (config.tlsCert !== undefined && config.tlsKey !== undefined) {
    return loadTlsFiles(config.tlsCert, config.tlsKey);
  }
  return ensureSelfSigned(certDir(config.db, env));
}

/** `chat join HOST:PORT --tls --fp SHA256:...`, the exact line to hand to guests. */
export function tlsInviteLine(host: string, port: number, fingerprint: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return `chat join ${h}:${port} --tls --fp ${fingerprint}`;
}
