import { describe, expect, test } from "bun:test";
import {
  PROFILE_RATE,
  parseBenchArgs,
  QUICK_TAIL_RATE,
  SCENARIOS,
  TAIL_RATE,
  UsageError,
} from "../../../bench/lib/args.ts";

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

  test("(g) runs at the issue's rate and count in the full run, one short run under --quick", () => {
    const full = parse();
    // 3.2 M deliveries/s offered into the room of 500 (499 recipients per message).
    expect(TAIL_RATE * 499).toBeGreaterThanOrEqual(3_200_000);
    expect((TAIL_RATE - 1) * 499).toBeLessThan(3_200_000);
    expect(full.tailRate).toBe(TAIL_RATE);
    expect(full.tailRuns).toBe(5);
    const quick = parse("--quick", "--scenario", "g");
    expect(quick.tailRate).toBe(QUICK_TAIL_RATE);
    expect(quick.tailRuns).toBe(1);
    // The profile keeps its own default rate, and (a) its single round.
    expect(full.rate).toBe(PROFILE_RATE);
    expect(full.rounds).toBe(1);
  });

  test("--rate and --rounds override (g)'s defaults, in either mode", () => {
    const a = parse("--scenario", "g", "--rate", "4000", "--rounds", "2");
    expect([a.tailRate, a.tailRuns, a.rate, a.rounds]).toEqual([4000, 2, 4000, 2]);
    const q = parse("--quick", "--scenario", "g", "--rate", "7000", "--rounds", "3");
    expect([q.tailRate, q.tailRuns]).toEqual([7000, 3]);
  });

  test("bad input is a UsageError with the reason", () => {
    const bad: Array<[string[], RegExp]> = [
      [["--scenario", "z"], /unknown scenario "z"/],
      [["--servers", "chat,irc2"], /unknown server "irc2"/],
      [["--servers", "chat-baseline"], /needs --baseline/],
      [["--baseline", ""], /needs the path/],
      [["--rounds", "0"], /--rounds must be an integer >= 1/],
      [["--rate", "0"], /--rate must be an integer >= 1/],
      [["--rate", "fast"], /--rate must be an integer >= 1/],
      [["--workers", "two"], /--workers/],
      [["--nope"], /nope/],
    ];
    for (const [argv, why] of bad) {
      expect(() => parse(...argv)).toThrow(UsageError);
      expect(() => parse(...argv)).toThrow(why);
    }
  });
});
