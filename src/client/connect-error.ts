/** The words for a link that could not be made or went quiet: one line a user can act on. */

export function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** One line the user can act on, for each way connecting can fail. */
export function describeConnectError(err: unknown, where: string, timeoutMs: number): string {
  const code = (err as { code?: string } | null)?.code ?? "";
  switch (code) {
    case "ECONNREFUSED":
      return `cannot connect to ${where}: connection refused (is chat serve running there?)`;
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
    case "DNSException":
      return `cannot connect to ${where}: host not found`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EHOSTDOWN":
      return `cannot connect to ${where}: host unreachable`;
    case "ETIMEDOUT":
      return `cannot connect to ${where}: no answer after ${Math.round(timeoutMs / 1000)} s`;
    case "ECONNRESET":
      return `cannot connect to ${where}: connection reset`;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/certificate|tls|ssl|handshake/i.test(message))
    return `TLS connection to ${where} failed: ${message}`;
  return `cannot connect to ${where}: ${message}`;
}
