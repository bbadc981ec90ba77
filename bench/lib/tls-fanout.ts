/**
 * (h) scenario (a) over TLS: one room of 500, every client on TLS, chat (`--tls` with the given
 * files) and InspIRCd (its gnutls module), both with the same openssl self-signed certificate.
 * chat serialises a message once and encrypts it per connection (security/tls-session.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { m as mdel, ms, ratio } from "./format.ts";
import { type FanoutResult, fanoutRamp, type ScenarioOptions } from "./scenarios.ts";
import {
  isChatKind,
  type RunningServer,
  type ServerKind,
  selfSignedPair,
  startChat,
  startInspircd,
} from "./servers.ts";

export async function tlsFanout(kind: ServerKind, opts: ScenarioOptions): Promise<FanoutResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-tls-"));
  try {
    const pair = selfSignedPair(dir);
    let server: RunningServer;
    if (isChatKind(kind)) {
      server = await startChat({
        kind,
        extraArgs: ["--tls", "--tls-cert", pair.cert, "--tls-key", pair.key],
      });
    } else if (kind === "inspircd") {
      server = await startInspircd(pair);
    } else {
      throw new Error(`(h) runs chat and InspIRCd only, not ${kind}`);
    }
    opts.log(
      `  ${kind} ${server.version} on ${server.host}:${server.port} (TLS, pid ${server.pid})`,
    );
    try {
      return await fanoutRamp(server, "irc", opts, "tcp", true);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's section for (h): the sustained rate of each server, and chat / InspIRCd. */
export function tlsSection(
  tls: Partial<Record<ServerKind, FanoutResult | string>> | undefined,
): string[] {
  if (!tls || Object.keys(tls).length === 0) return [];
  const best = (k: ServerKind): number | undefined => {
    const v = tls[k];
    return typeof v === "object" ? (v.best?.deliveriesPerSecond ?? 0) : undefined;
  };
  const out = [
    "## (h) fan-out over TLS: one room of 500, every client on TLS",
    "",
    "Scenario (a) with the same openssl self-signed certificate on both servers (chat `--tls --tls-cert --tls-key`, InspIRCd's ssl_gnutls module); the generator accepts any certificate.",
    "",
    "| server | max sustained deliveries/s | p99 at that rate | steps passed | why it stopped |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const [k, v] of Object.entries(tls) as Array<[ServerKind, FanoutResult | string]>) {
    if (typeof v !== "object") {
      out.push(`| ${k} | ${v} | | | |`);
      continue;
    }
    const last = v.steps[v.steps.length - 1];
    const why =
      last && !last.pass
        ? `step ${last.step} failed (${(last.deliveryRatio * 100).toFixed(1)}% delivered, p99 ${ms(last.latency.p99Ms)})`
        : "ramp ended without failing";
    out.push(
      `| ${k} | ${mdel(v.best?.deliveriesPerSecond)} | ${ms(v.best?.latency.p99Ms)} | ${v.steps.filter((s) => s.pass).length} | ${why} |`,
    );
  }
  out.push("");
  out.push(`chat / InspIRCd over TLS: ${ratio(best("chat"), best("inspircd"))} (target ≥ 2x).`);
  out.push("");
  return out;
}
