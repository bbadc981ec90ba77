/**
 * The pure parsers of the IRC front's WHOX and ELIST (handlers/whox.ts,
 * handlers/elist.ts): what a query means, without a server.
 */
import { describe, expect, test } from "bun:test";
import type { RoomSummary, WhoEntry } from "../../../src/core/api.ts";
import { matches, parseList } from "../../../src/fronts/irc/handlers/elist.ts";
import { parseWhox, whoxParams } from "../../../src/fronts/irc/handlers/whox.ts";

const entry: WhoEntry = {
  channel: "#c",
  nick: "alice",
  user: "~alice",
  host: "10.0.0.1",
  realname: "Alice L",
  away: false,
  oper: false,
  op: true,
  voice: false,
  bot: false,
  idleSeconds: 42,
};

describe("WHOX", () => {
  test("fields are answered in the fixed order, duplicates once", () => {
    const q = parseWhox("%rnnct,7");
    expect(q).toEqual({ fields: "tcnr", token: "7" });
    if ("error" in q) throw new Error("unexpected");
    expect(whoxParams(q, entry, "H@", "srv")).toEqual(["7", "#c", "alice", "Alice L"]);
  });

  test("every field has its value", () => {
    const q = parseWhox("%tcuihsnfdlaor,123");
    if ("error" in q) throw new Error("unexpected");
    expect(whoxParams(q, entry, "H@", "srv")).toEqual([
      "123",
      "#c",
      "~alice",
      "10.0.0.1",
      "10.0.0.1",
      "srv",
      "alice",
      "H@",
      "0",
      "42",
      "0",
      "n/a",
      "Alice L",
    ]);
  });

  test("an unknown field or a bad query type is an error; a token without t is ignored", () => {
    expect(parseWhox("%nq")).toEqual({ error: "Unknown WHOX field 'q'" });
    expect(parseWhox("%t,ab")).toEqual({ error: "The WHOX query type must be 1 to 3 digits" });
    expect(parseWhox("%n,whatever")).toEqual({ fields: "n", token: "whatever" });
  });
});

describe("ELIST", () => {
  const now = 10 * 60_000;
  const room = (name: string, users: number, createdMin: number, topicMin?: number) => {
    const r: RoomSummary = { name, users, topic: "", created: now - createdMin * 60_000 };
    if (topicMin !== undefined) r.topicTime = now - topicMin * 60_000;
    return r;
  };
  const rooms = [room("#dev", 5, 1, 1), room("#devops", 1, 9), room("#random", 3, 5, 8)];
  const pick = (terms: string[]) => {
    const q = parseList(terms);
    return rooms.filter((r) => matches(q, r, now)).map((r) => r.name);
  };

  test("user counts, masks and negated masks", () => {
    expect(pick([">2"])).toEqual(["#dev", "#random"]);
    expect(pick(["<3"])).toEqual(["#devops"]);
    expect(pick(["#dev*"])).toEqual(["#dev", "#devops"]);
    expect(pick(["!#dev*"])).toEqual(["#random"]);
  });

  test("creation and topic times in minutes; a room without a topic has no topic time", () => {
    expect(pick(["C<3"])).toEqual(["#dev"]);
    expect(pick(["C>3"])).toEqual(["#devops", "#random"]);
    expect(pick(["T<5"])).toEqual(["#dev"]);
    expect(pick(["T>5"])).toEqual(["#random"]);
  });

  test("plain names are names, not conditions; malformed conditions too", () => {
    expect(parseList(["#dev", ">x", "C<"])).toEqual({ names: ["#dev", ">x", "C<"], keep: [] });
  });
});
