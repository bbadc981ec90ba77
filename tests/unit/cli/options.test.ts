import { describe, expect, test } from "bun:test";
import { parseArgs } from "citty";
import fc from "fast-check";
import { joinArgs, toJoinConfig } from "../../../src/cli/join-config.ts";
import { parseMetricsAddress } from "../../../src/cli/metrics-flag.ts";
import {
  checkRawArgs,
  collectRepeated,
  parseFingerprint,
  parseHostPort,
  parseOper,
  parsePort,
  parsePositiveInt,
  roomToChannel,
} from "../../../src/cli/options.ts";
import { serveArgs, toServeConfig } from "../../../src/cli/serve-config.ts";
import { UsageError } from "../../../src/cli/usage-error.ts";

describe("parsePort", () => {
  test.each([
    ["0", 0],
    ["6667", 6667],
    ["65535", 65535],
    [" 80 ", 80],
  ])("accepts %p", (raw, port) => {
    expect(parsePort(raw)).toBe(port);
  });

  test.each(["99999", "65536", "-1", "abc", "", "66.6", "1e3", "0x10"])("refuses %p", (raw) => {
    expect(() => parsePort(raw)).toThrow(UsageError);
    expect(() => parsePort(raw)).toThrow(/--port must be a number from 0 to 65535/);
  });
});

describe("parsePositiveInt", () => {
  test("accepts whole numbers of at least 1", () => {
    expect(parsePositiveInt("500", "--history")).toBe(500);
  });
  test.each(["0", "-5", "1.5", "many", "99999999999999999999"])("refuses %p", (raw) => {
    expect(() => parsePositiveInt(raw, "--history")).toThrow(/--history must be a whole number/);
  });
});

describe("parseHostPort", () => {
  test.each([
    ["192.168.1.20:6667", "192.168.1.20", 6667],
    ["192.168.1.20", "192.168.1.20", 6667],
    ["chat.example.org:7000", "chat.example.org", 7000],
    ["localhost", "localhost", 6667],
    ["[::1]:6667", "::1", 6667],
    ["[::1]:7001", "::1", 7001],
    ["[::1]", "::1", 6667],
    ["::1", "::1", 6667],
    ["[fe80::1%eth0]:6667", "fe80::1%eth0", 6667],
    ["2001:db8::5", "2001:db8::5", 6667],
  ])("%p -> %p port %p", (raw, host, port) => {
    expect(parseHostPort(raw)).toEqual({ host, port });
  });

  test.each([
    ["", /missing HOST\[:PORT\]/],
    ["host:", /bad port/],
    ["host:0", /bad port/],
    ["host:99999", /bad port/],
    ["host:abc", /bad port/],
    [":6667", /empty host/],
    ["[::1", /missing "\]"/],
    ["[]:6667", /empty host/],
    ["[::1]6667", /bad address/],
    ["[::1]:", /bad port/],
    ["exa mple", /bad address/],
    ["a b:6667", /bad address/],
    ["http://host", /bad address/],
    ["user@host", /bad address/],
    ["[not-v6]:6667", /bad address/],
  ])("refuses %p", (raw, why) => {
    expect(() => parseHostPort(raw)).toThrow(UsageError);
    expect(() => parseHostPort(raw)).toThrow(why);
  });
});

describe("roomToChannel", () => {
  test("a bare room name is a channel", () => {
    expect(roomToChannel("dev")).toBe("#dev");
    expect(roomToChannel("lobby")).toBe("#lobby");
  });
  test("a name that is already a channel stays as it is", () => {
    expect(roomToChannel("#dev")).toBe("#dev");
    expect(roomToChannel("&local")).toBe("&local");
  });
  test.each(["", "  ", "a b", "a,b", "a\u0007b"])("refuses %p", (raw) => {
    expect(() => roomToChannel(raw)).toThrow(UsageError);
  });
});

describe("parseOper", () => {
  test("splits NAME:PASSWORD at the first colon, so passwords may contain colons", () => {
    expect(parseOper("admin:s3cret")).toEqual({ name: "admin", password: "s3cret" });
    expect(parseOper("admin:a:b")).toEqual({ name: "admin", password: "a:b" });
  });
  test.each(["admin", ":pw", "admin:", ""])("refuses %p", (raw) => {
    expect(() => parseOper(raw)).toThrow(/--oper must look like NAME:PASSWORD/);
  });
});

describe("parseFingerprint", () => {
  const hex = "ab".repeat(32);
  test("accepts SHA256:HEX, colon-separated pairs and bare hex; normalises to lower-case hex", () => {
    expect(parseFingerprint(`SHA256:${hex.toUpperCase()}`)).toBe(hex);
    expect(parseFingerprint(`sha256:${"AB:".repeat(31)}AB`)).toBe(hex);
    expect(parseFingerprint(hex)).toBe(hex);
  });
  test.each(["SHA256:abcd", `SHA256:${"zz".repeat(32)}`, `MD5:${"ab".repeat(32)}`, ""])(
    "refuses %p",
    (raw) => {
      expect(() => parseFingerprint(raw)).toThrow(/--fp must look like SHA256:<64 hex digits>/);
    },
  );
});

describe("checkRawArgs", () => {
  test("accepts declared flags in --x v, --x=v and --no-x forms", () => {
    expect(
      checkRawArgs(
        ["--port", "7000", "--host=127.0.0.1", "--no-flood-limit", "--quiet", "--tls"],
        serveArgs,
      ),
    ).toBeUndefined();
    expect(checkRawArgs(["[::1]:6667", "--nick", "bob", "--json"], joinArgs)).toBeUndefined();
  });

  test("a string flag's value may start with a dash", () => {
    expect(checkRawArgs(["--password", "-secret-"], serveArgs)).toBeUndefined();
    expect(checkRawArgs(["--motd", "--no-flood-limit"], serveArgs)).toBeUndefined();
  });

  test("refuses unknown flags by name", () => {
    expect(checkRawArgs(["--prot", "7000"], serveArgs)).toBe("unknown option --prot");
    expect(checkRawArgs(["host", "--colour=red"], joinArgs)).toBe("unknown option --colour");
    expect(checkRawArgs(["-x"], serveArgs)).toBe("unknown option -x");
    expect(checkRawArgs(["--address", "h"], joinArgs)).toBe("unknown option --address");
  });

  test("refuses words the command does not take", () => {
    expect(checkRawArgs(["now"], serveArgs)).toBe('unexpected argument "now"');
    expect(checkRawArgs(["host1", "host2"], joinArgs)).toBe('unexpected argument "host2"');
  });

  test("refuses a string flag with no value", () => {
    expect(checkRawArgs(["--port"], serveArgs)).toBe("option --port needs a value");
  });

  test("stops at --", () => {
    expect(checkRawArgs(["--", "--whatever"], serveArgs)).toBeUndefined();
  });
});

describe("collectRepeated", () => {
  test("keeps every value of a repeated flag in order, both spellings", () => {
    expect(
      collectRepeated(["--oper", "a:1", "--quiet", "--oper=b:2", "--port", "1"], "oper"),
    ).toEqual(["a:1", "b:2"]);
  });
});

describe("any command line", () => {
  // Words users might type, plus noise: every outcome must be a config or a UsageError.
  const word = fc.oneof(
    fc.constantFrom(
      ...Object.keys(serveArgs).map((k) => `--${k}`),
      ...Object.keys(joinArgs).map((k) => `--${k}`),
      "--no-flood-limit",
      "--",
      "-",
      "-x",
      "[::1]:6667",
      "host:1",
      "99999",
      "a:b",
      "",
      "=",
    ),
    fc.string({ maxLength: 12 }),
  );
  const argv = fc.array(word, { maxLength: 8 });
  const env = fc.record({
    CHAT_NICK: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    CHAT_PASSWORD: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
  });

  function onlyUsageErrors(run: () => unknown): void {
    try {
      run();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toContain("\n");
    }
  }

  test("property: serve flags give a config or one-line UsageError, never a crash", () => {
    fc.assert(
      fc.property(argv, env, (args, e) => {
        expect(() => checkRawArgs(args, serveArgs)).not.toThrow();
        if (checkRawArgs(args, serveArgs) !== undefined) return;
        onlyUsageErrors(() =>
          toServeConfig(
            {
              ...(parseArgs(args, serveArgs) as Record<string, string | boolean>),
              oper: collectRepeated(args, "oper"),
            },
            e,
          ),
        );
      }),
      { numRuns: 1000 },
    );
  });

  test("property: join flags give a config or one-line UsageError, never a crash", () => {
    fc.assert(
      fc.property(argv, env, (args, e) => {
        expect(() => checkRawArgs(args, joinArgs)).not.toThrow();
        if (checkRawArgs(args, joinArgs) !== undefined) return;
        onlyUsageErrors(() =>
          toJoinConfig(parseArgs(args, joinArgs) as Record<string, string | boolean>, e),
        );
      }),
      { numRuns: 1000 },
    );
  });

  test("property: parseHostPort accepts or refuses any text with a UsageError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        onlyUsageErrors(() => {
          const hp = parseHostPort(raw);
          expect(hp.port).toBeGreaterThanOrEqual(1);
          expect(hp.port).toBeLessThanOrEqual(65535);
          expect(hp.host).not.toBe("");
        });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("--metrics [HOST:]PORT", () => {
  test("a bare port is on loopback; a host or [v6] can be given", () => {
    expect(parseMetricsAddress("9100")).toEqual({ host: "127.0.0.1", port: 9100 });
    expect(parseMetricsAddress(":9100")).toEqual({ host: "127.0.0.1", port: 9100 });
    expect(parseMetricsAddress("0.0.0.0:9100")).toEqual({ host: "0.0.0.0", port: 9100 });
    expect(parseMetricsAddress("[::1]:9100")).toEqual({ host: "::1", port: 9100 });
  });

  test.each(["", "abc", "host:", "[::1]", "1.2.3.4:99999", "a b:1"])("%p is refused", (raw) => {
    expect(() => parseMetricsAddress(raw)).toThrow(/--metrics/);
  });

  test("off unless given", () => {
    expect(toServeConfig({}, {}).metrics).toBeUndefined();
    expect(toServeConfig({ metrics: "9200" }, {}).metrics).toEqual({
      host: "127.0.0.1",
      port: 9200,
    });
  });
});
