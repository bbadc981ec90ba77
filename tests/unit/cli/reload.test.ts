import { describe, expect, test } from "bun:test";
import { needsRestart, serveLimits } from "../../../src/cli/reload.ts";
import { toServeConfig } from "../../../src/cli/serve-config.ts";
import { DEFAULT_LIMITS } from "../../../src/core/limits.ts";

const base = toServeConfig({ port: "6667", tls: true }, {});

describe("what a reload can change", () => {
  test("MOTD, operators and limits change live; sockets, store and identity need a restart", () => {
    const live = toServeConfig(
      {
        port: "6667",
        tls: true,
        motd: "x",
        oper: ["a:b"],
        "max-per-ip": "3",
        "flood-limit": false,
      },
      {},
    );
    expect(needsRestart(base, live)).toEqual([]);
    const fixed = toServeConfig(
      { port: "7000", tls: false, name: "other.example", history: "5", password: "pw" },
      {},
    );
    expect(needsRestart(base, fixed)).toEqual(["port", "history", "password", "tls", "name"]);
  });

  test("switching from the kept self-signed certificate to given files needs a restart", () => {
    const files = toServeConfig({ port: "6667", "tls-cert": "c.pem", "tls-key": "k.pem" }, {});
    expect(needsRestart(base, files)).toEqual(["tls-cert"]);
  });

  test("a limit removed from the file goes back to its default", () => {
    const set = serveLimits(toServeConfig({ "max-per-ip": "3", "max-clients": "9" }, {}));
    expect(set).toMatchObject({ maxConnectionsPerIp: 3, maxConnections: 9 });
    expect(serveLimits(toServeConfig({}, {}))).toEqual({
      floodLimit: true,
      maxConnectionsPerIp: DEFAULT_LIMITS.maxConnectionsPerIp,
      maxConnections: DEFAULT_LIMITS.maxConnections,
    });
  });
});
