/**
 * contrib/chat.service: systemd accepts it (`systemd-analyze verify`, with no
 * warning), it has the hardening a host expects, its reload is SIGHUP, and the
 * command it runs is one the compiled binary accepts.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHAT_BINARY, ensureChatBinary, REPO_ROOT } from "../helpers/binary.ts";

beforeAll(ensureChatBinary, 120_000);

const UNIT = readFileSync(join(REPO_ROOT, "contrib", "chat.service"), "utf8");
const INSTALLED = "/usr/local/bin/chat";

/** The unit's sections and keys (a repeated key keeps its last value, as systemd does). */
function parseUnit(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = out[head[1] ?? ""] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (section === undefined || eq === -1) throw new Error(`not a unit line: ${raw}`);
    section[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

describe("contrib/chat.service", () => {
  const unit = parseUnit(UNIT);
  const service = unit.Service ?? {};

  test("systemd-analyze verify accepts it without a warning", () => {
    const d = mkdtempSync(join(tmpdir(), "chat-unit-"));
    try {
      // verify checks that ExecStart's program exists: point it at the built binary.
      writeFileSync(join(d, "chat.service"), UNIT.replaceAll(INSTALLED, CHAT_BINARY));
      const r = Bun.spawnSync(["systemd-analyze", "verify", join(d, "chat.service")], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const said = r.stdout.toString() + r.stderr.toString();
      expect(said).toBe("");
      expect(r.exitCode).toBe(0);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test("runs as a throwaway user that can write only its state directory", () => {
    expect(service).toMatchObject({
      DynamicUser: "yes",
      StateDirectory: "chat",
      ProtectSystem: "strict",
      ProtectHome: "yes",
      NoNewPrivileges: "yes",
      PrivateTmp: "yes",
      PrivateDevices: "yes",
      CapabilityBoundingSet: "",
      RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX",
      SystemCallFilter: "@system-service",
    });
    // The JIT writes code and then runs it: W^X enforcement would kill the server.
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
    expect(unit.Install?.WantedBy).toBe("multi-user.target");
  });

  test("keeps history in the state directory and reloads with SIGHUP", () => {
    expect(service.ExecStart).toContain("--db /var/lib/chat/chat.db");
    expect(service.ExecReload).toBe("/bin/kill -HUP $MAINPID");
    expect(service.KillSignal).toBe("SIGTERM");
  });

  test("its command line is accepted by chat serve (checked with --print-config)", () => {
    const argv = (service.ExecStart ?? "").split(" ");
    expect(argv[0]).toBe(INSTALLED);
    const args = argv
      .slice(1)
      .map((a) =>
        a === "/etc/chat/chat.toml" ? join(REPO_ROOT, "contrib", "chat.example.toml") : a,
      );
    const r = Bun.spawnSync([CHAT_BINARY, ...args, "--print-config"], {
      env: { PATH: "/usr/bin:/bin", XDG_DATA_HOME: "/var/lib" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toContain('db = "/var/lib/chat/chat.db"  # flag');
  });
});
