/**
 * The lines `chat serve` prints at start: where others can join from, and
 * where history is kept. Pure apart from reading the network interfaces.
 */
import { networkInterfaces } from "node:os";

/** `chat join` lines for every non-loopback address when listening on all interfaces. */
export function joinHints(host: string, port: number): string[] {
  const addrs = joinAddresses(host);
  // No network (a container, a laptop offline): this machine can still join.
  if (addrs.length === 0) return [`  chat join 127.0.0.1:${port}   (no network interface found)`];
  return addrs.map((a) => `  chat join ${fmtHost(a)}:${port}`);
}

/**
 * The line for guests without the binary, with a real address filled in: a
 * host reading it aloud should not have to work out what HOST and PORT mean.
 */
export function otherWaysLine(host: string, port: number): string {
  const addr = joinAddresses(host)[0] ?? "127.0.0.1";
  return `Without chat: nc ${addr} ${port} (or telnet), or any IRC client on port ${port}. Press Ctrl-C to stop.`;
}

/** Where the conversation is kept, so a host knows what survives a restart and what to back up. */
export function historyLine(db: string): string {
  return db === ":memory:"
    ? "History: in memory only (--db :memory:), gone when the server stops"
    : `History: ${db} (kept across restarts)`;
}

/** Addresses others can reach: the one listened on, or every non-loopback one. */
export function joinAddresses(host: string): string[] {
  if (host !== "0.0.0.0" && host !== "::") return [host];
  const out: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      if (host === "0.0.0.0" && a.family !== "IPv4") continue;
      if (a.family === "IPv6" && a.address.startsWith("fe80")) continue;
      out.push(a.address);
    }
  }
  return out;
}

export function fmtHost(h: string): string {
  return h.includes(":") ? `[${h}]` : h;
}
