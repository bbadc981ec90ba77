/**
 * A real IRC client nobody here wrote speaks TLS to our one-port listener:
 * weechat (Debian's weechat-headless, installed by scripts/test-deps.sh)
 * pinned to the certificate's SHA-256 fingerprint, next to a plain client.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { fingerprintOfPem } from "../../../src/security/fingerprint.ts";
import { startTestServer } from "../../helpers/server.ts";
import { freedAfterEach, opensslCert, Signal } from "./helpers.ts";

const live = freedAfterEach();

/** weechat 4 renamed its "ssl" server options to "tls". */
function tlsWord(): string {
  const v = Bun.spawnSync(["weechat-headless", "--version"]).stdout.toString().trim();
  return Number(v.split(".")[0]) >= 4 ? "tls" : "ssl";
}

function weechat(port: number, fingerprint: string, text: string): Subprocess {
  const dir = mkdtempSync(join(tmpdir(), "chat-weechat-tls-"));
  live.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const w = tlsWord();
  const p = Bun.spawn(
    [
      "weechat-headless",
      "--dir",
      dir,
      "-r",
      [
        `/server add t 127.0.0.1/${port} -${w} -nicks=wee -username=wee -autojoin=#lobby`,
        `/set irc.server.t.${w}_fingerprint ${fingerprint}`,
        "/connect t",
        `/wait 2 /msg -server t #lobby ${text}`,
        "/wait 30 /quit",
      ].join(";"),
    ],
    {
      stdout: "ignore",
      stderr: "ignore",
      stdin: "ignore",
      env: { ...process.env, LANG: "C.UTF-8" },
    },
  );
  live.procs.push(p);
  return p;
}

test("weechat pinned to our fingerprint chats over TLS with a plain client on the same port", async () => {
  const cert = opensslCert();
  live.cleanups.push(cert.cleanup);
  const t = await startTestServer({ tls: { cert: cert.cert, key: cert.key } });
  live.server = t;
  const plain = await t.client("watcher");
  plain.send("JOIN #lobby");
  await plain.expect(/ 366 watcher #lobby /);
  const hex = fingerprintOfPem(cert.cert).slice("SHA256:".length);
  weechat(t.port, hex, "héllo over TLS from weechat");
  await plain.expect(/^:wee!\S+ JOIN #lobby$/, 10_000);
  const line = await plain.expect(/^:wee!\S+ PRIVMSG #lobby :/, 10_000);
  expect(line).toEndWith(":héllo over TLS from weechat");
}, 30_000);

test("weechat pinned to another fingerprint refuses our certificate (so the test above really used TLS)", async () => {
  const cert = opensslCert();
  live.cleanups.push(cert.cleanup);
  const logs: string[] = [];
  const signal = new Signal();
  const t = await startTestServer({
    tls: { cert: cert.cert, key: cert.key },
    log: (l) => {
      logs.push(l);
      signal.notify();
    },
  });
  live.server = t;
  weechat(t.port, "00".repeat(32), "must not arrive");
  // weechat connects, sees the wrong certificate and hangs up before registering.
  await signal.until(
    "weechat's connection to end",
    () => logs.some((l) => l.startsWith("disconnect")),
    15_000,
  );
  expect(logs.some((l) => l.startsWith("connect"))).toBe(true);
  expect(logs.some((l) => l.includes("registered"))).toBe(false);
}, 30_000);
