import { describe, expect, test } from "bun:test";
import { parseBenchArgs, SCENARIOS, UsageError } from "../../../bench/lib/args.ts";

const ROOT = "/repo";
const parse = (...argv: string[]) => parseBenchArgs(argv, ROOT);

describe("bench arguments", () => {
  test("no flags: the full matrix, written to BENCHMARKS.md", () => {
    const a = parse();
    expect(a.scenarios).toEqual([...SCENARIOS]);
    expect(a.kinds).toEqual(["chat", "inspircd", "ngircd"]);
    expect(a.outPath).toBe("/repo/BENCHMARKS.md");
    expect(a.baseline).toBeNull();
    expect(a.rounds).toBe(1);
    expect(a.profile).toBe(true);
  });

  test("--quick and partial runs never overwrite BENCHMARKS.md", () => {
    expect(parse("--quick").outPath).toBe("/repo/bench/results/quick.md");
    expect(parse("--scenario", "a").outPath).toBe("/repo/bench/results/latest.md");
    expect(parse("--servers", "chat").outPath).toBe("/repo/bench/results/latest.md");
  });

  test("--baseline runs chat-baseline right before chat, and is never the full matrix", () => {
    const a = parse("--scenario", "a", "--servers", "chat,inspircd", "--baseline", "/tmp/old");
    expect(a.kinds).toEqual(["chat-baseline", "chat", "inspircd"]);
    expect(a.baseline).toBe("/tmp/old");
    expect(a.scenarios).toEqual(["a"]);
    expect(parse("--baseline", "/tmp/old").outPath).toBe("/repo/bench/results/latest.md");
    expect(parse("--servers", "inspircd,chat", "--baseline", "/b").kinds).toEqual([
      "inspircd",
      "chat-baseline",
      "chat",
    ]);
  });

  test("chat-baseline named in --servers is kept once, and alone when chat is not listed", () => {
    expect(parse("--servers", "chat,chat-baseline", "--baseline", "/b").kinds).toEqual([
      "chat-baseline",
      "chat",
    ]);
    expect(parse("--servers", "chat-baseline", "--baseline", "/b").kinds).toEqual([
      "chat-baseline",
    ]);
  });

  test("--out, --quick, --rounds and --chat-binary are carried through", () => {
    const a = parse("--quick", "--rounds", "3", "--out", "/tmp/x.md", "--chat-binary", "/c");
    expect(a.quick).toBe(true);
    expect(a.rounds).toBe(3);
    expect(a.outPath).toBe("/tmp/x.md");
    expect(a.chatBinary).toBe("/c");
  });

  test("--caps sets what the load generator asks for; without it the generator's default", () => {
    expect(parse().caps).toBeUndefined();
    expect(parse("--caps", "server-time, message-tags,batch").caps).toEqual([
      "server-time",
      "message-tags",
      "batch",
    ]);
    expect(parse("--caps", "").caps).toEqual([]);
    expect(() => parse("--caps", "batch,a b")).toThrow(/"a b" is not a capability name/);
  });

  test("bad input is a UsageError with the reason", () => {
    const bad: Array<[string[], RegExp]> = [
      [["--scenario", "z"], /unknown scenario "z"/],
      [["--servers", "chat,irc2"], /unknown server "irc2"/],
      [["--servers", "chat-baseline"], /needs --baseline/],
      [["--baseline", ""], /needs the path/],
      [["--rounds", "0"], /--rounds must be an integer >= 1/],
      [["--workers", "two"], /--workers/],
      [["--nope"], /nope/],
    ];
    for (const [argv, why] of bad) {
      expect(() => parse(...argv)).toThrow(UsageError);
      expect(() => parse(...argv)).toThrow(why);
    }
  });
});
