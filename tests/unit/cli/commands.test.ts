import { describe, expect, test } from "bun:test";
import { parseArgs } from "citty";
import { joinArgs, toJoinConfig } from "../../../src/cli/join-config.ts";
import { defaultServerName, serveArgs, toServeConfig } from "../../../src/cli/serve-config.ts";
import { UsageError } from "../../../src/cli/usage-error.ts";

type Raw = Record<string, string | string[] | boolean | undefined>;

/** Parse like `chat serve ARGS` does, through citty, so defaults are the real ones. */
function serve(argv: string[], env: Record<string, string | undefined> = {}) {
  return toServeConfig(parseArgs(argv, serveArgs) as Raw, env);
}

function join(argv: string[], env: Record<string, string | undefined> = {}) {
  return toJoinConfig(parseArgs(argv, joinArgs) as Raw, env);
}

describe("toServeConfig", () => {
  test("defaults: all interfaces, port 6667, flood limit on, not quiet, no TLS", () => {
    expect(serve([])).toEqual({
      host: "0.0.0.0",
      port: 6667,
      history: 10_000,
      tls: false,
      opers: [],
      floodLimit: true,
      quiet: false,
      network: "chat",
      logFormat: "text",
      logLevel: "info",
      web: true,
      webOrigins: [],
    });
  });

  test("web flags: --no-web, --web-port, --web-origin as origins; a bad origin is refused", () => {
    expect(serve(["--no-web"]).web).toBe(false);
    const c = serve(["--web-port", "8080", "--web-origin", "https://App.Example/"]);
    expect(c.webPort).toBe(8080);
    expect(c.webOrigins).toEqual(["https://app.example"]);
    expect(() => serve(["--web-origin", "app.example"])).toThrow(/--web-origin must be an origin/);
    expect(() => serve(["--web-port", "http"])).toThrow(/--web-port must be a number/);
  });

  test("every flag lands in the config", () => {
    const c = serve([
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--db",
      ":memory:",
      "--history",
      "50",
      "--password",
      "pw",
      "--tls-cert",
      "c.pem",
      "--tls-key",
      "k.pem",
      "--oper",
      "root:toor",
      "--motd",
      "Be nice",
      "--no-flood-limit",
      "--quiet",
      "--name",
      "IRC.Example.org",
      "--network",
      "ExampleNet",
      "--max-per-ip",
      "5",
      "--max-clients",
      "50",
      "--log-format",
      "json",
      "--log-level",
      "debug",
    ]);
    expect(c).toEqual({
      host: "127.0.0.1",
      port: 0,
      db: ":memory:",
      history: 50,
      password: "pw",
      tls: true,
      tlsCert: "c.pem",
      tlsKey: "k.pem",
      opers: [{ name: "root", password: "toor" }],
      motd: "Be nice",
      floodLimit: false,
      quiet: true,
      name: "irc.example.org",
      network: "ExampleNet",
      maxPerIp: 5,
      maxClients: 50,
      logFormat: "json",
      logLevel: "debug",
      web: true,
      webOrigins: [],
    });
  });

  test("--quiet alone means log level warn; an explicit --log-level wins", () => {
    expect(serve(["--quiet"]).logLevel).toBe("warn");
    expect(serve(["--quiet", "--log-level", "error"]).logLevel).toBe("error");
  });

  test.each([
    [["--name", "has space"], /--name must be a host-like name/],
    [["--name", "-bad.org"], /--name must be a host-like name/],
    [["--name", "a..b"], /--name must be a host-like name/],
    [["--name", `${"a".repeat(64)}`], /--name must be a host-like name/],
    [["--network", "my net"], /--network must be 1 to 32/],
    [["--network", "x".repeat(33)], /--network must be 1 to 32/],
    [["--max-per-ip", "0"], /--max-per-ip must be a whole number/],
    [["--log-format", "xml"], /--log-format must be one of text, json, not "xml"/],
    [["--log-level", "loud"], /--log-level must be one of debug, info, warn, error/],
    [["--max-clients", "lots"], /--max-clients must be a whole number/],
  ])("refuses %p", (argv, message) => {
    expect(() => serve(argv)).toThrow(UsageError);
    expect(() => serve(argv)).toThrow(message);
  });

  test("the default server name is the host name lowercased, else chat.server", () => {
    expect(defaultServerName("Build-Box.Lan")).toBe("build-box.lan");
    expect(defaultServerName("myhost")).toBe("myhost");
    expect(defaultServerName("")).toBe("chat.server");
    expect(defaultServerName("weird_name!")).toBe("chat.server");
  });

  test("several --oper values all count", () => {
    const c = toServeConfig({ oper: ["a:1", "b:2"] }, {});
    expect(c.opers).toEqual([
      { name: "a", password: "1" },
      { name: "b", password: "2" },
    ]);
  });

  test("CHAT_PASSWORD stands in for --password; the flag wins when both are given", () => {
    expect(serve([], { CHAT_PASSWORD: "env" }).password).toBe("env");
    expect(serve(["--password", "flag"], { CHAT_PASSWORD: "env" }).password).toBe("flag");
    expect(serve([], { CHAT_PASSWORD: "" }).password).toBeUndefined();
  });

  test("--tls alone asks for a self-signed certificate", () => {
    const c = serve(["--tls"]);
    expect(c.tls).toBe(true);
    expect(c.tlsCert).toBeUndefined();
  });

  test.each([
    [["--port", "99999"], /--port must be a number from 0 to 65535/],
    [["--port", "http"], /--port/],
    [["--history", "0"], /--history must be a whole number/],
    [["--tls-cert", "c.pem"], /--tls-cert and --tls-key must be given together/],
    [["--tls-key", "k.pem"], /--tls-cert and --tls-key must be given together/],
    [["--oper", "nopassword"], /--oper must look like NAME:PASSWORD/],
    [["--db", " "], /--db must be a file path or :memory:/],
  ])("refuses %p", (argv, why) => {
    expect(() => serve(argv)).toThrow(UsageError);
    expect(() => serve(argv)).toThrow(why);
  });
});

describe("toJoinConfig", () => {
  test("HOST:PORT, default room #lobby, no TLS", () => {
    expect(join(["192.168.1.20:7000"])).toEqual({
      host: "192.168.1.20",
      port: 7000,
      channel: "#lobby",
      tls: false,
      insecure: false,
      json: false,
      notify: true,
      once: false,
    });
  });

  test("IPv6 in brackets with a port, and the default port", () => {
    expect(join(["[::1]:6667"])).toMatchObject({ host: "::1", port: 6667 });
    expect(join(["[::1]"])).toMatchObject({ host: "::1", port: 6667 });
    expect(join(["example.org"])).toMatchObject({ host: "example.org", port: 6667 });
  });

  test("a bare --room is a channel; a #room stays", () => {
    expect(join(["h", "--room", "dev"]).channel).toBe("#dev");
    expect(join(["h", "--room", "#ops"]).channel).toBe("#ops");
  });

  test("every flag lands in the config; --fp implies TLS", () => {
    const fp = "ab".repeat(32);
    expect(
      join([
        "h:1",
        "--nick",
        "alice",
        "--password",
        "pw",
        "--fp",
        `SHA256:${fp}`,
        "--insecure",
        "--json",
        "--no-notify",
        "--once",
      ]),
    ).toEqual({
      host: "h",
      port: 1,
      channel: "#lobby",
      nick: "alice",
      password: "pw",
      tls: true,
      fingerprint: fp,
      insecure: true,
      json: true,
      notify: false,
      once: true,
    });
  });

  test("CHAT_NICK and CHAT_PASSWORD stand in for the flags; the flags win", () => {
    const env = { CHAT_NICK: "envnick", CHAT_PASSWORD: "envpw" };
    expect(join(["h"], env)).toMatchObject({ nick: "envnick", password: "envpw" });
    expect(join(["h", "--nick", "flagnick", "--password", "flagpw"], env)).toMatchObject({
      nick: "flagnick",
      password: "flagpw",
    });
  });

  test("an invalid CHAT_NICK is reported like an invalid --nick", () => {
    expect(() => join(["h"], { CHAT_NICK: "9lives" })).toThrow(/not a valid nickname/);
  });

  test.each([
    [[], /missing HOST\[:PORT\]/],
    [["h:99999"], /bad port/],
    [["h", "--nick", "has space"], /not a valid nickname/],
    [["h", "--nick", "-dash"], /not a valid nickname/],
    [["h", "--nick", "x".repeat(31)], /not a valid nickname/],
    [["h", "--room", "a,b"], /--room/],
    [["h", "--fp", "SHA256:1234"], /--fp must look like SHA256/],
    [["bad address"], /bad address/],
  ])("refuses %p", (argv, why) => {
    expect(() => join(argv)).toThrow(UsageError);
    expect(() => join(argv)).toThrow(why);
  });
});
