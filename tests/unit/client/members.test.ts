import { describe, expect, test } from "bun:test";
import type { ClientEvent } from "../../../src/client/events.ts";
import { handleLine } from "../../../src/client/handlers.ts";
import { accountsQuery } from "../../../src/client/members.ts";
import { ClientState } from "../../../src/client/state.ts";
import { formatTerminal } from "../../../src/client/ui/format.ts";
import { parse } from "../../../src/protocol/message.ts";

const NOW = Date.parse("2026-12-03T12:00:00Z");

function feed(state: ClientState, ...lines: string[]): ClientEvent[] {
  return lines.flatMap((l) => handleLine(state, parse(l), NOW));
}

function shown(events: ClientEvent[]): string[] {
  return events
    .flatMap((e) => formatTerminal(e, { cols: 200, current: "#lobby", colour: false }))
    .map((l) => l.replace(/^\d\d:\d\d /, ""));
}

/** Joined #lobby on a server with WHOX; the WHO query sent, as connection.ts does. */
function joinedWithWhox(): ClientState {
  const s = new ClientState("me");
  feed(s, ":srv 001 me :Welcome", ":srv 005 me WHOX PREFIX=(ov)@+ :are supported");
  feed(s, ":me!u@h JOIN #lobby * :Me");
  expect(accountsQuery(s, "#lobby")?.params).toEqual(["#lobby", "%tna,713"]);
  return s;
}

describe("the member list marks owners with a ✓", () => {
  test("on joining, the list waits for the WHOX answer and marks those logged in as their nick", () => {
    const s = joinedWithWhox();
    expect(
      feed(s, ":srv 353 me = #lobby :@olga ursula me", ":srv 366 me #lobby :End of /NAMES list."),
    ).toEqual([]);
    feed(s, ":srv 354 me 713 olga olga", ":srv 354 me 713 ursula 0", ":srv 354 me 713 me me");
    expect(shown(feed(s, ":srv 315 me #lobby :End of WHO list."))).toEqual([
      "* in #lobby: me✓ @olga✓ ursula",
    ]);
  });

  test("a user's own /who end shows nothing extra; a WHOX line with another token is ignored", () => {
    const s = joinedWithWhox();
    feed(s, ":srv 353 me = #lobby :me bob", ":srv 366 me #lobby :End");
    feed(s, ":srv 354 me 99 bob bob", ":srv 315 me #lobby :End");
    expect(feed(s, ":srv 315 me #lobby :End")).toEqual([]);
    expect(shown(feed(s, ":srv 353 me = #lobby :me bob", ":srv 366 me #lobby :End"))).toEqual([
      "* in #lobby: bob me",
    ]);
  });

  test("extended-join, ACCOUNT and NICK keep the marks true", () => {
    const s = new ClientState("me");
    feed(s, ":srv 001 me :Welcome", ":me!u@h JOIN #lobby * :Me");
    feed(s, ":vera!u@h JOIN #lobby vera :Vera", ":kim!u@h JOIN #lobby * :Kim");
    feed(s, ":kim!u@h ACCOUNT kim", ":vera!u@h NICK vera_");
    const names = (): string[] =>
      shown(feed(s, ":srv 353 me = #lobby :me vera_ kim", ":srv 366 me #lobby :End"));
    // Without WHOX the list comes at 366, as before.
    expect(names()).toEqual(["* in #lobby: kim✓ me vera_"]);
    feed(s, ":vera_!u@h NICK vera", ":kim!u@h ACCOUNT *");
    expect(shown(feed(s, ":srv 353 me = #lobby :me vera kim", ":srv 366 me #lobby :End"))).toEqual([
      "* in #lobby: kim me vera✓",
    ]);
  });
});
