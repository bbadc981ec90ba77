/** The lines `chat serve` prints for guests with only a browser. */
import { fmtHost, joinAddresses } from "./serve-banner.ts";

interface WebPorts {
  readonly port: number;
  readonly web: boolean;
  readonly webPort?: number;
}

/** The web address on the main port and on `--web-port`, with a real address filled in. */
export function webLines(host: string, running: WebPorts, tls: boolean): string[] {
  const addr = fmtHost(joinAddresses(host)[0] ?? "127.0.0.1");
  const scheme = tls ? "https" : "http";
  const urls: string[] = [];
  if (running.web) urls.push(`${scheme}://${addr}:${running.port}/`);
  if (running.webPort !== undefined) urls.push(`${scheme}://${addr}:${running.webPort}/`);
  if (urls.length === 0) return [];
  return [`In a browser: ${urls.join(" or ")}`];
}
