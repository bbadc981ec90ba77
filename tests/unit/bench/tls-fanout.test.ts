import { describe, expect, test } from "bun:test";
import { inspircdConfig } from "../../../bench/lib/servers.ts";
import { tlsSection } from "../../../bench/lib/tls-fanout.ts";
import { fanout, step } from "./fixtures.ts";

describe("(h) fan-out over TLS", () => {
  test("InspIRCd's TLS config loads gnutls and binds the port to the profile with our files", () => {
    const conf = inspircdConfig("/tmp/x", 6697, { cert: "/tmp/x/cert.pem", key: "/tmp/x/key.pem" });
    expect(conf).toContain('<module name="ssl_gnutls">');
    expect(conf).toContain('certfile="/tmp/x/cert.pem" keyfile="/tmp/x/key.pem"');
    expect(conf).toContain(
      '<bind address="127.0.0.1" port="6697" type="clients" sslprofile="bench">',
    );
    // Without TLS files the plain config is unchanged: no module, no profile.
    const plain = inspircdConfig("/tmp/x", 6667);
    expect(plain).not.toContain("ssl");
    expect(plain).toContain('<bind address="127.0.0.1" port="6667" type="clients">');
  });

  test("the section gives each server's sustained rate and the ratio against the target", () => {
    const ok = fanout([step(1, 1000, { deliveries: 3e6 }), step(2, 1500, { pass: false })]);
    const insp = fanout([step(1, 1000, { deliveries: 1e6 }), step(2, 1500, { pass: false })]);
    const lines = tlsSection({ chat: ok, inspircd: insp });
    expect(lines.find((l) => l.startsWith("| chat |"))).toMatch(
      /^\| chat \| 3\.000 M \|.*\| 1 \| step 2 failed/,
    );
    expect(lines.some((l) => l === "chat / InspIRCd over TLS: 3.00x (target ≥ 2x).")).toBe(true);
    expect(
      tlsSection({ chat: "failed: no openssl" }).some((l) => l.includes("failed: no openssl")),
    ).toBe(true);
    expect(tlsSection(undefined)).toEqual([]);
  });
});
