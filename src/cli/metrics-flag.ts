/** `--metrics [HOST:]PORT`: where the Prometheus endpoint listens; a loopback host unless one is given. */
import { type HostPort, parsePort } from "./options.ts";
import { UsageError } from "./usage-error.ts";

/** Loopback: metrics tell strangers how busy the server is and who connects. */
export const METRICS_DEFAULT_HOST = "127.0.0.1";

const HOST = /^[A-Za-z0-9_.-]+$/;

/** `9100`, `:9100`, `0.0.0.0:9100`, `[::1]:9100`. */
export function parseMetricsAddress(raw: string): HostPort {
  const s = raw.trim();
  const bad = (): never => {
    throw new UsageError(
      `--metrics must be [HOST:]PORT, e.g. 9100, 127.0.0.1:9100 or [::1]:9100, not ${JSON.stringify(raw)}`,
    );
  };
  let host = METRICS_DEFAULT_HOST;
  let port = s;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close === -1 || s[close + 1] !== ":") bad();
    host = s.slice(1, close);
    port = s.slice(close + 2);
    if (!/^[0-9A-Fa-f:.]+$/.test(host)) bad();
  } else if (s.includes(":")) {
    const at = s.lastIndexOf(":");
    if (at > 0) host = s.slice(0, at);
    port = s.slice(at + 1);
    if (!HOST.test(host)) bad();
  }
  if (!/^\d{1,5}$/.test(port)) bad();
  return { host, port: parsePort(port, "--metrics port") };
}
