import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ClientEvent } from "../../../src/client/events.ts";
import { handleLine, handlers } from "../../../src/client/handlers.ts";
import { ClientState } from "../../../src/client/state.ts";
import { mentions } from "../../../src/client/text.ts";
import { formatTerminal } from "../../../src/client/ui/format.ts";
import { type IrcMessage, parse } from "../../../src/protocol/message.ts";

const NOW = Date.parse("2026-11-25T12:00:00Z");

/** Feed recorded server lines; return every event they produced. */
function feed(state: ClientState, ...lines: string[]): ClientEvent[] {
  return lines.flatMap((l) => handleLine(state, parse(l), NOW));
}

function joined(nick = "alice"): ClientState {
  const s = new ClientState(nick);
  feed(
    s,
    `:srv 001 ${nick} :Welcome`,
    ":srv 005 alice CHANTYPES=# PREFIX=(ov)@+ :are supported",
    `:${nick}!u@h JOIN #lobby`,
    `:srv 353 ${nick} = #lobby :@bob +carol ${nick}`,
    `:srv 366 ${nick} #lobby :End of /NAMES list.`,
  );
  return s;
}

describe("registration and membership", () => {
  test("001 marks us registered under the nick the server gave", () => {
    const s = new ClientState("alice");
    feed(s, ":srv 001 alice_ :Welcome");
    expect(s.registered).toBe(true);
    expect(s.nick).toBe("alice_");
  });

  test("our JOIN makes the room current; NAMES fills members without prefixes", () => {
    const s = joined();
    expect(s.current).toBe("#lobby");
    expect(s.currentMembers().sort()).toEqual(["alice", "bob", "carol"]);
  });

  test("the names shown on join mark operators and voiced users, so people know who can moderate", () => {
    const s = new ClientState("alice");
    const evs = feed(
      s,
      ":srv 001 alice :Welcome",
      ":srv 005 alice CHANTYPES=# PREFIX=(ov)@+ :are supported",
      ":alice!u@h JOIN #lobby",
      ":srv 353 alice = #lobby :@+bob +carol alice",
      ":srv 366 alice #lobby :End of /NAMES list.",
    );
    const names = evs.find((e) => e.type === "names");
    if (names === undefined) throw new Error("no names event");
    const line = formatTerminal(names, { cols: 80, colour: false, current: "#lobby" });
    expect(line.join("")).toContain("* in #lobby: alice @bob +carol");
  });

  test("a rejoin does not steal focus from the room the user is in", () => {
    const s = joined();
    feed(s, ":alice!u@h JOIN #dev");
    expect(s.current).toBe("#lobby");
    s.switchOnJoin = "#ops";
    feed(s, ":alice!u@h JOIN #ops");
    expect(s.current).toBe("#ops");
  });

  test("others joining, parting, quitting and renaming update the member list", () => {
    const s = joined();
    const evs = feed(
      s,
      ":dave!d@h JOIN #lobby",
      ":bob!b@h PART #lobby :bye",
      ":carol!c@h NICK carla",
      ":dave!d@h QUIT :gone",
    );
    expect(evs.map((e) => e.type)).toEqual(["join", "part", "nick", "quit"]);
    expect(s.currentMembers().sort()).toEqual(["alice", "carla"]);
    const quit = evs[3];
    expect(quit?.type === "quit" && quit.rooms).toEqual(["#lobby"]);
  });

  test("our own NICK change is tracked", () => {
    const s = joined();
    feed(s, ":alice!u@h NICK alicia");
    expect(s.nick).toBe("alicia");
    expect(s.currentMembers()).toContain("alicia");
  });

  test("being kicked removes the room", () => {
    const s = joined();
    const [ev] = feed(s, ":bob!b@h KICK #lobby alice :behave");
    expect(ev).toMatchObject({ type: "kick", self: true, target: "alice", text: "behave" });
    expect(s.room("#lobby")).toBeUndefined();
  });
});

describe("messages", () => {
  test("a channel message carries server time, msgid and sender", () => {
    const s = joined();
    const [ev] = feed(s, "@time=2026-11-25T12:00:05.000Z;msgid=m1 :bob!b@h PRIVMSG #lobby :hi all");
    expect(ev).toMatchObject({
      type: "message",
      kind: "privmsg",
      room: "#lobby",
      nick: "bob",
      text: "hi all",
      msgid: "m1",
      self: false,
      history: false,
    });
    expect(ev?.time.toISOString()).toBe("2026-11-25T12:00:05.000Z");
    expect(s.lastMsgid.get("#lobby")).toBe("m1");
  });

  test("a repeated msgid (join replay + catch-up overlap) is shown once", () => {
    const s = joined();
    const line = "@msgid=dup :bob!b@h PRIVMSG #lobby :once";
    expect(feed(s, line, line)).toHaveLength(1);
  });

  test("lines inside a chathistory batch are history", () => {
    const s = joined();
    const evs = feed(
      s,
      ":srv BATCH +b1 chathistory #lobby",
      "@batch=b1;msgid=h1;time=2026-11-25T11:00:00.000Z :bob!b@h PRIVMSG #lobby :old",
      ":srv BATCH -b1",
      "@msgid=n1 :bob!b@h PRIVMSG #lobby :new",
    );
    expect(evs.map((e) => e.type === "message" && e.history)).toEqual([true, false]);
  });

  test("a message stamped well before our join is history even without a batch", () => {
    const s = joined();
    const [ev] = feed(s, "@time=2026-11-25T11:00:00.000Z :bob!b@h PRIVMSG #lobby :replayed");
    expect(ev).toMatchObject({ history: true });
  });

  test("a server clock a few seconds behind ours does not make live lines history", () => {
    const s = joined();
    const [ev] = feed(s, "@time=2026-11-25T11:59:50.000Z :bob!b@h PRIVMSG #lobby :live");
    expect(ev).toMatchObject({ history: false });
  });

  test("an older history line does not move the catch-up point backwards", () => {
    const s = joined();
    feed(s, "@msgid=new;time=2026-11-25T12:00:01.000Z :bob!b@h PRIVMSG #lobby :new");
    feed(
      s,
      ":srv BATCH +b chathistory #lobby",
      "@batch=b;msgid=old;time=2026-11-25T10:00:00.000Z :bob!b@h PRIVMSG #lobby :old",
    );
    expect(s.lastMsgid.get("#lobby")).toBe("new");
  });

  test("our echo is marked self; a mention of our nick is flagged", () => {
    const s = joined();
    const [mine, theirs, not] = feed(
      s,
      ":alice!u@h PRIVMSG #lobby :hello",
      ":bob!b@h PRIVMSG #lobby :Alice: look",
      ":bob!b@h PRIVMSG #lobby :malice aforethought",
    );
    expect(mine).toMatchObject({ self: true, mention: false });
    expect(theirs).toMatchObject({ self: false, mention: true });
    expect(not).toMatchObject({ mention: false });
  });

  test("private messages are filed under the other person", () => {
    const s = joined();
    const [inbound, echo] = feed(s, ":bob!b@h PRIVMSG alice :psst", ":alice!u@h PRIVMSG bob :yes?");
    expect(inbound).toMatchObject({ room: "bob" });
    expect(echo).toMatchObject({ room: "bob", self: true });
  });

  test("CTCP ACTION is an action; other CTCP is not shown", () => {
    const s = joined();
    const evs = feed(
      s,
      ":bob!b@h PRIVMSG #lobby :\x01ACTION waves\x01",
      ":bob!b@h PRIVMSG alice :\x01VERSION\x01",
    );
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ kind: "action", text: "waves" });
  });
});

describe("replies and errors", () => {
  test("the refusals a guest meets most say what to do, not IRC jargon", () => {
    const s = joined();
    const text = (line: string): string => {
      const [ev] = feed(s, line);
      return ev?.type === "error" ? ev.text : "";
    };
    expect(text(":srv 474 alice #vip :Cannot join channel (+b)")).toBe("you are banned from #vip");
    expect(text(":srv 475 alice #vip :Cannot join channel (+k)")).toBe(
      "#vip needs a key: /join #vip KEY",
    );
    expect(text(":srv 482 alice #lobby :You're not channel operator")).toContain(
      "only operators of #lobby can do that (they are marked @",
    );
    expect(text(":srv 473 alice #vip :Cannot join channel (+i)")).toContain("invite-only");
    expect(text(":srv 433 alice bob :Nickname is already in use")).toBe(
      "bob is taken: pick another with /nick NAME",
    );
    expect(text(":srv 432 alice 9lives :Erroneous nickname")).toMatch(
      /^9lives cannot be a nickname: use letters, digits/,
    );
  });

  test("a refused command names its subject", () => {
    const s = joined();
    const [ev] = feed(s, ":srv 401 alice zed :No such nick/channel");
    expect(ev).toMatchObject({ type: "error", text: "zed: No such nick/channel", code: "401" });
  });

  test("464 is fatal", () => {
    const s = new ClientState("alice");
    const [ev] = feed(s, ":srv 464 * :Password incorrect");
    expect(ev).toMatchObject({ type: "error", fatal: true });
  });

  test("433 before registration is left to the connection's nick fallback", () => {
    const s = new ClientState("alice");
    expect(feed(s, ":srv 433 * alice :Nickname is already in use")).toEqual([]);
  });

  test("topic on join and topic change", () => {
    const s = joined();
    const evs = feed(s, ":srv 332 alice #lobby :Welcome!", ":bob!b@h TOPIC #lobby :New one");
    expect(evs[0]).toMatchObject({ type: "topic", room: "#lobby", text: "Welcome!" });
    expect(evs[1]).toMatchObject({ type: "topic", nick: "bob", text: "New one" });
    expect(s.room("#lobby")?.topic).toBe("New one");
  });

  test("WHO replies read as one line per person", () => {
    const s = joined();
    const [ev] = feed(s, ":srv 352 alice #lobby b host srv bob G :0 Bob Real");
    expect(ev).toMatchObject({ type: "info", text: "#lobby bob (b@host) (away) Bob Real" });
  });
});

test("mentions match whole words only, case-insensitively", () => {
  expect(mentions("hey ALICE!", "alice")).toBe(true);
  expect(mentions("alice_ is here", "alice")).toBe(false);
  expect(mentions("[alice] hi", "alice")).toBe(true);
});

describe("hostile or odd input", () => {
  test("no inbound line makes the handlers throw", () => {
    const verbs = Object.keys(handlers).concat(["999", "404", "", "FOO"]);
    const word = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(
        fc.constantFrom(...verbs),
        fc.array(word, { maxLength: 6 }),
        fc.option(word, { nil: undefined }),
        fc.dictionary(fc.constantFrom("time", "msgid", "batch"), word, { maxKeys: 3 }),
        (command, params, source, tags) => {
          const s = joined();
          const msg: IrcMessage = { command, params, tags: new Map(Object.entries(tags)) };
          if (source !== undefined) msg.source = source;
          const evs = handleLine(s, msg, NOW);
          for (const e of evs) expect(Number.isNaN(e.time.getTime())).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("replies to our own commands", () => {
  test("341 (our /invite went out) says who was invited where, in words", () => {
    const evs = feed(joined(), ":srv 341 alice bob #secret");
    expect(evs).toEqual([{ type: "info", time: new Date(NOW), text: "invited bob to #secret" }]);
  });
});
