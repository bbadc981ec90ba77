import { describe, expect, test } from "bun:test";
import { commandNames, helpLines, parseInput } from "../../../src/client/input.ts";
import { ClientState } from "../../../src/client/state.ts";
import { serialize } from "../../../src/protocol/message.ts";

function inLobby(): ClientState {
  const s = new ClientState("alice");
  s.addRoom("#lobby", 0);
  s.current = "#lobby";
  return s;
}

function wire(line: string, s = inLobby()): string[] {
  const a = parseInput(line, s);
  if (a.kind !== "send") throw new Error(`expected send, got ${JSON.stringify(a)}`);
  return a.messages.map(serialize);
}

describe("typed lines", () => {
  test("plain text goes to the current room", () => {
    expect(parseInput("hello", inLobby())).toEqual({
      kind: "say",
      target: "#lobby",
      text: "hello",
      action: false,
    });
  });

  test("a leading // sends a literal slash", () => {
    expect(parseInput("//shrug", inLobby())).toMatchObject({ kind: "say", text: "/shrug" });
  });

  test("text with no room says how to get one", () => {
    expect(parseInput("hi", new ClientState("a"))).toMatchObject({ kind: "error" });
  });

  test("empty input does nothing", () => {
    expect(parseInput("   ", inLobby())).toEqual({ kind: "none" });
  });
});

describe("slash commands", () => {
  test("/me is an action in the current room", () => {
    expect(parseInput("/me waves", inLobby())).toMatchObject({ kind: "say", action: true });
  });

  test("/msg sends without switching; /query switches", () => {
    expect(parseInput("/msg bob hi there", inLobby())).toMatchObject({
      kind: "say",
      target: "bob",
      text: "hi there",
    });
    expect(parseInput("/query bob", inLobby())).toEqual({ kind: "switch", target: "bob" });
    // With a text, /query still opens the window (unlike /msg), and says it there.
    expect(parseInput("/query bob hi there", inLobby())).toEqual({
      kind: "switch",
      target: "bob",
      text: "hi there",
    });
  });

  test("/join adds # to bare names and keeps keys", () => {
    expect(parseInput("/join dev,#ops secret", inLobby())).toEqual({
      kind: "join",
      channels: ["#dev", "#ops"],
      key: "secret",
    });
  });

  test("/switch and /j move between joined rooms, or join a new one", () => {
    const s = inLobby();
    s.addRoom("#dev", 0);
    expect(parseInput("/switch dev", s)).toEqual({ kind: "switch", target: "#dev" });
    expect(parseInput("/j #LOBBY", s)).toEqual({ kind: "switch", target: "#lobby" });
    expect(parseInput("/j random", s)).toEqual({ kind: "join", channels: ["#random"] });
  });

  test("/switch to someone in a shared room talks to them, instead of opening an empty room", () => {
    const s = inLobby();
    s.room("#lobby")?.members.set("bob", "Bob");
    expect(parseInput("/switch bob", s)).toEqual({ kind: "switch", target: "bob" });
    expect(parseInput("/switch #bob", s)).toEqual({ kind: "join", channels: ["#bob"] });
  });

  test("room operators moderate without /raw: /kick, /ban, /unban, /op, /deop", () => {
    expect(wire("/kick bob")).toEqual(["KICK #lobby bob"]);
    expect(wire("/kick bob too loud")).toEqual(["KICK #lobby bob :too loud"]);
    expect(wire("/ban bob spam")).toEqual(["MODE #lobby +b bob!*@*", "KICK #lobby bob spam"]);
    expect(wire("/ban *!*@10.0.0.9")).toEqual(["MODE #lobby +b *!*@10.0.0.9"]);
    expect(wire("/unban bob")).toEqual(["MODE #lobby -b bob!*@*"]);
    expect(wire("/op carol")).toEqual(["MODE #lobby +o carol"]);
    expect(wire("/deop carol")).toEqual(["MODE #lobby -o carol"]);
    expect(parseInput("/kick", inLobby())).toMatchObject({ kind: "error" });
    expect(parseInput("/kick bob", new ClientState("a"))).toMatchObject({ kind: "error" });
  });

  test("/part, /topic, /who, /away, /nick, /raw produce the IRC lines", () => {
    expect(wire("/part")).toEqual(["PART #lobby"]);
    expect(wire("/part see you")).toEqual(["PART #lobby :see you"]);
    expect(wire("/part lobby bye")).toEqual(["PART #lobby bye"]);
    expect(wire("/part #dev")).toEqual(["PART #dev"]);
    expect(wire("/topic")).toEqual(["TOPIC #lobby"]);
    expect(wire("/topic Release day")).toEqual(["TOPIC #lobby :Release day"]);
    expect(wire("/who")).toEqual(["WHO #lobby"]);
    expect(wire("/away lunch")).toEqual(["AWAY lunch"]);
    expect(wire("/away")).toEqual(["AWAY"]);
    expect(wire("/nick bobby")).toEqual(["NICK bobby"]);
    expect(wire("/raw MODE #lobby +t")).toEqual(["MODE #lobby +t"]);
  });

  test("/quit carries its reason", () => {
    expect(parseInput("/quit bye now", inLobby())).toEqual({ kind: "quit", reason: "bye now" });
  });

  test("unknown commands say so and point at /help", () => {
    const a = parseInput("/frobnicate", inLobby());
    expect(a).toMatchObject({ kind: "error" });
    expect(a.kind === "error" && a.text).toContain("/help");
  });

  test("/help lists every command, including the required ones", () => {
    const a = parseInput("/help", inLobby());
    expect(a.kind).toBe("help");
    const text = helpLines().join("\n");
    for (const c of commandNames) expect(text).toContain(`/${c}`);
    for (const c of [
      "help",
      "nick",
      "msg",
      "query",
      "me",
      "join",
      "part",
      "switch",
      "j",
      "who",
      "topic",
      "away",
      "quit",
      "raw",
      "list",
      "search",
      "jump",
      "mentions",
      "back",
      "whois",
      "names",
      "mode",
      "kick",
      "ban",
      "invite",
      "ignore",
      "unignore",
    ])
      expect(commandNames).toContain(c);
  });

  test("/help names every key the client reacts to", () => {
    const text = helpLines().join("\n");
    for (const key of [
      "Alt-1..9",
      "Alt-Left/Right",
      "Ctrl-P/Ctrl-N",
      "PageUp/PageDown",
      "Tab",
      "Up/Down",
      "Ctrl-A/E",
      "Ctrl-Left/Right",
      "Alt-B/F",
      "Ctrl-K",
      "Ctrl-W/U",
      "Ctrl-L",
      "Ctrl-C",
      "Ctrl-D",
    ])
      expect(text).toContain(key);
  });

  test("the new commands: /search [in ROOM], /jump, /mode, /invite, /back, /part of a private window", () => {
    const st = inLobby();
    expect(parseInput("/search deploy failed in dev", st)).toEqual({
      kind: "search",
      words: "deploy failed",
      target: "#dev",
    });
    expect(parseInput("/search deploy", st)).toEqual({ kind: "search", words: "deploy" });
    expect(parseInput("/jump 3", st)).toEqual({ kind: "jump", index: 3 });
    expect(parseInput("/jump x", st).kind).toBe("error");
    const sent = (line: string): string[] => {
      const a = parseInput(line, st);
      return a.kind === "send" ? a.messages.map((m) => [m.command, ...m.params].join(" ")) : [];
    };
    expect(sent("/mode +t")).toEqual(["MODE #lobby +t"]);
    expect(sent("/mode #dev +k key")).toEqual(["MODE #dev +k key"]);
    expect(sent("/invite carol")).toEqual(["INVITE carol #lobby"]);
    expect(sent("/back")).toEqual(["AWAY"]);
    expect(sent("/list")).toEqual(["LIST"]);
    st.current = "bob";
    expect(parseInput("/part", st)).toEqual({ kind: "close", target: "bob" });
    expect(parseInput("/switch 2", st)).toEqual({ kind: "window", index: 1 });
  });

  test("in a private window, /invite and /mode without a ROOM say there is no room (not #bob)", () => {
    const st = inLobby();
    st.current = "bob";
    const text = (line: string): string | undefined => {
      const a = parseInput(line, st);
      return a.kind === "error" ? a.text : JSON.stringify(a);
    };
    expect(text("/invite carol")).toContain("not in a room");
    expect(text("/mode +t")).toContain("not in a room");
    expect(text("/mode")).toContain("not in a room");
    const a = parseInput("/invite carol #dev", st);
    expect(a.kind === "send" && a.messages.map((m) => [m.command, ...m.params].join(" "))).toEqual([
      "INVITE carol #dev",
    ]);
    const own = parseInput(`/mode ${st.nick} +i`, st);
    expect(own.kind === "send" && own.messages[0]?.params).toEqual([st.nick, "+i"]);
  });

  test("commands without their argument explain their usage", () => {
    for (const line of ["/nick", "/msg bob", "/me", "/join", "/raw"]) {
      const a = parseInput(line, inLobby());
      expect(a.kind === "error" && a.text).toContain("usage");
    }
  });
});
