/**
 * What the user typed -> what the client should do. One table of slash
 * commands (so /help and tab completion can list them all); pure, no I/O.
 */
import { type IrcMessage, IrcParseError, message, parse } from "../protocol/message.ts";
import { toChannel as roomName } from "../protocol/text.ts";
import { parseSearchArgs } from "./search.ts";
import type { ClientState } from "./state.ts";

export type Action =
  /** Say something (split to fit and echoed by the connection). */
  | { kind: "say"; target: string; text: string; action: boolean; notice?: boolean }
  | { kind: "send"; messages: IrcMessage[] }
  | { kind: "switch"; target: string; text?: string }
  /** Go to window N (0-based), as Alt-N does. */
  | { kind: "window"; index: number }
  /** Close a window that is not a room (a private conversation). */
  | { kind: "close"; target: string }
  | { kind: "search"; words: string; target?: string }
  /** Show search result N (1-based) in its window. */
  | { kind: "jump"; index: number }
  | { kind: "mentions" }
  /** Ignore (or stop ignoring) a nick; no nick lists the ignored. */
  | { kind: "ignore"; nick?: string; ignored: boolean }
  | { kind: "join"; channels: string[]; key?: string }
  | { kind: "help"; lines: string[] }
  | { kind: "quit"; reason: string }
  | { kind: "info"; text: string }
  | { kind: "error"; text: string }
  | { kind: "none" };

interface CommandSpec {
  usage: string;
  help: string;
  run(args: string, state: ClientState): Action;
}

const err = (text: string): Action => ({ kind: "error", text });

/** `dev` -> `#dev`; names already carrying a channel prefix are kept. */
export function toChannel(name: string, state?: ClientState): string {
  return roomName(name, state?.isupport.get("CHANTYPES") ?? "#&");
}

function firstWord(s: string): [string, string] {
  const t = s.trim();
  const sp = t.indexOf(" ");
  return sp === -1 ? [t, ""] : [t.slice(0, sp), t.slice(sp + 1).trimStart()];
}

const NOT_IN_ROOM = "you are not in a room: /join ROOM first";

export const commands: Record<string, CommandSpec> = {
  help: {
    usage: "/help",
    help: "list every command",
    run: () => ({ kind: "help", lines: helpLines() }),
  },
  nick: {
    usage: "/nick NEWNICK",
    help: "change your nickname",
    run(args) {
      const [nick] = firstWord(args);
      if (nick === "") return err("usage: /nick NEWNICK");
      return { kind: "send", messages: [message("NICK", [nick])] };
    },
  },
  msg: {
    usage: "/msg NICK|#ROOM TEXT",
    help: "send a private message (or to a room) without switching to it",
    run(args) {
      const [target, text] = firstWord(args);
      if (target === "" || text === "") return err("usage: /msg NICK TEXT");
      return { kind: "say", target, text, action: false };
    },
  },
  query: {
    usage: "/query NICK [TEXT]",
    help: "open a private conversation with NICK (typed lines go to them)",
    run(args) {
      const [target, text] = firstWord(args);
      if (target === "") return err("usage: /query NICK [TEXT]");
      return text === "" ? { kind: "switch", target } : { kind: "switch", target, text };
    },
  },
  me: {
    usage: "/me ACTION",
    help: "describe an action: /me waves",
    run(args, state) {
      const room = state.current;
      if (room === undefined) return err(NOT_IN_ROOM);
      if (args.trim() === "") return err("usage: /me ACTION");
      return { kind: "say", target: room, text: args.trim(), action: true };
    },
  },
  join: {
    usage: "/join ROOM[,ROOM] [KEY]",
    help: "join a room (a bare name means #name) and switch to it",
    run(args, state) {
      const [rooms, key] = firstWord(args);
      if (rooms === "") return err("usage: /join ROOM");
      const channels = rooms
        .split(",")
        .filter((r) => r !== "")
        .map((r) => toChannel(r, state));
      const a: Action = { kind: "join", channels };
      if (key !== "") a.key = firstWord(key)[0];
      return a;
    },
  },
  part: {
    usage: "/part [ROOM] [REASON]",
    help: "leave the current room (or ROOM) and close its window; closes a private window",
    run(args, state) {
      const [first, rest] = firstWord(args);
      // "/part #dev bye" or "/part dev" (a room we are in) name the room; otherwise
      // everything is the reason for leaving the current room.
      const named = state.isChannel(first)
        ? first
        : first !== ""
          ? state.room(toChannel(first, state))?.name
          : undefined;
      const room = named ?? state.current;
      const reason = named !== undefined ? rest : args.trim();
      // A private conversation has nothing to leave on the server: its window closes.
      if (named === undefined && room !== undefined && !state.isChannel(room))
        return { kind: "close", target: room };
      if (room === undefined || !state.isChannel(room)) return err("usage: /part ROOM [REASON]");
      const params = reason === "" ? [room] : [room, reason];
      return { kind: "send", messages: [message("PART", params)] };
    },
  },
  switch: {
    usage: "/switch ROOM|NICK|N",
    help: "go to the window of ROOM, NICK or number N; joins ROOM if needed",
    run: (args, state) => switchTo(args, state),
  },
  j: {
    usage: "/j ROOM",
    help: "short for /switch",
    run: (args, state) => switchTo(args, state),
  },
  list: {
    usage: "/list [MASK]",
    help: "list the rooms on the server, with their user counts and topics",
    run(args) {
      const [mask] = firstWord(args);
      return { kind: "send", messages: [message("LIST", mask === "" ? [] : [mask])] };
    },
  },
  search: {
    usage: "/search WORDS [in ROOM]",
    help: "search the server's history (every room you are in, or ROOM); /jump N shows a result",
    run(args, state) {
      const q = parseSearchArgs(args);
      if (q.words === "") return err("usage: /search WORDS [in ROOM]");
      const a: Action = { kind: "search", words: q.words };
      if (q.target !== undefined)
        a.target =
          state.isChannel(q.target) || state.roomsOf(q.target).length > 0
            ? q.target
            : toChannel(q.target, state);
      return a;
    },
  },
  jump: {
    usage: "/jump N",
    help: "go to search result N in its window, with the lines around it",
    run(args) {
      const [n] = firstWord(args);
      if (!/^[1-9][0-9]*$/.test(n))
        return err("usage: /jump N (a number from the /search results)");
      return { kind: "jump", index: Number(n) };
    },
  },
  mentions: {
    usage: "/mentions",
    help: "list the recent lines that mention you, across all windows",
    run: () => ({ kind: "mentions" }),
  },
  ignore: {
    usage: "/ignore [NICK]",
    help: "stop showing NICK's lines (kept in your config folder); no NICK lists them",
    run(args) {
      const [nick] = firstWord(args);
      return nick === ""
        ? { kind: "ignore", ignored: true }
        : { kind: "ignore", nick, ignored: true };
    },
  },
  unignore: {
    usage: "/unignore NICK",
    help: "show NICK's lines again",
    run(args) {
      const [nick] = firstWord(args);
      if (nick === "") return err("usage: /unignore NICK");
      return { kind: "ignore", nick, ignored: false };
    },
  },
  who: {
    usage: "/who [ROOM|NICK]",
    help: "list who is in the current room (or ROOM)",
    run(args, state) {
      const [t] = firstWord(args);
      const target = t !== "" ? t : state.current;
      if (target === undefined) return err(NOT_IN_ROOM);
      return { kind: "send", messages: [message("WHO", [target])] };
    },
  },
  whois: {
    usage: "/whois NICK",
    help: "show who NICK is",
    run(args) {
      const [nick] = firstWord(args);
      if (nick === "") return err("usage: /whois NICK");
      return { kind: "send", messages: [message("WHOIS", [nick])] };
    },
  },
  names: {
    usage: "/names [ROOM]",
    help: "list the nicks in the current room (or ROOM)",
    run(args, state) {
      const [t] = firstWord(args);
      const target = t !== "" ? toChannel(t, state) : state.current;
      if (target === undefined) return err(NOT_IN_ROOM);
      return { kind: "send", messages: [message("NAMES", [target])] };
    },
  },
  topic: {
    usage: "/topic [NEW TOPIC]",
    help: "show or set the current room's topic",
    run(args, state) {
      const room = state.current;
      if (room === undefined || !state.isChannel(room)) return err(NOT_IN_ROOM);
      const text = args.trim();
      return {
        kind: "send",
        messages: [message("TOPIC", text === "" ? [room] : [room, text])],
      };
    },
  },
  secret: {
    usage: "/secret",
    help: "show the secret that keeps your nick (to use it on another machine)",
    run: (_args, state) =>
      state.secret === undefined
        ? err("this connection has no secret (pipe mode without --secret?)")
        : {
            kind: "info",
            text: `your secret for ${state.nick}: ${state.secret} (anyone who has it can take your nick: give it only to yourself, e.g. chat join --secret ... on another machine)`,
          },
  },
  unclaim: {
    usage: "/unclaim",
    help: "give up your nick: anyone may take it once you leave",
    run: () => ({ kind: "send", messages: [message("UNCLAIM", [])] }),
  },
  away: {
    usage: "/away [MESSAGE]",
    help: "mark yourself away (no message: back again)",
    run(args) {
      const text = args.trim();
      return { kind: "send", messages: [message("AWAY", text === "" ? [] : [text])] };
    },
  },
  back: {
    usage: "/back",
    help: "you are no longer away",
    run: () => ({ kind: "send", messages: [message("AWAY", [])] }),
  },
  mode: {
    usage: "/mode [ROOM|NICK] [MODES [ARGS]]",
    help: "show or change the modes of the current room (or ROOM, or yourself)",
    run(args, state) {
      const words = args
        .trim()
        .split(/\s+/)
        .filter((w) => w !== "");
      const first = words[0];
      const named = first !== undefined && (state.isChannel(first) || state.isMe(first));
      const target = named ? first : currentRoom(state);
      if (target === undefined) return err(NOT_IN_ROOM);
      return { kind: "send", messages: [message("MODE", [target, ...words.slice(named ? 1 : 0)])] };
    },
  },
  invite: {
    usage: "/invite NICK [ROOM]",
    help: "invite NICK to the current room (or ROOM)",
    run(args, state) {
      const [nick, rest] = firstWord(args);
      const room = firstWord(rest)[0] || currentRoom(state);
      if (nick === "") return err("usage: /invite NICK [ROOM]");
      if (room === undefined) return err(NOT_IN_ROOM);
      return { kind: "send", messages: [message("INVITE", [nick, toChannel(room, state)])] };
    },
  },
  kick: {
    usage: "/kick NICK [REASON]",
    help: "put NICK out of the current room (room operators, marked @)",
    run: (args, state) =>
      inRoom(state, "/kick NICK [REASON]", args, (room, nick, reason) => [
        message("KICK", reason === "" ? [room, nick] : [room, nick, reason]),
      ]),
  },
  ban: {
    usage: "/ban NICK|MASK [REASON]",
    help: "keep NICK out of the current room and put them out (operators)",
    run: (args, state) =>
      inRoom(state, "/ban NICK|MASK [REASON]", args, (room, who, reason) => {
        const out = [message("MODE", [room, "+b", banMask(who)])];
        // A mask names nobody in particular; a nick is also put out now.
        if (!/[!@*]/.test(who)) {
          out.push(message("KICK", [room, who, reason === "" ? "Banned" : reason]));
        }
        return out;
      }),
  },
  unban: {
    usage: "/unban NICK|MASK",
    help: "let NICK back into the current room (operators)",
    run: (args, state) =>
      inRoom(state, "/unban NICK|MASK", args, (room, who) => [
        message("MODE", [room, "-b", banMask(who)]),
      ]),
  },
  op: {
    usage: "/op NICK",
    help: "make NICK an operator of the current room (operators)",
    run: (args, state) =>
      inRoom(state, "/op NICK", args, (room, nick) => [message("MODE", [room, "+o", nick])]),
  },
  deop: {
    usage: "/deop NICK",
    help: "take operator status from NICK in the current room",
    run: (args, state) =>
      inRoom(state, "/deop NICK", args, (room, nick) => [message("MODE", [room, "-o", nick])]),
  },
  raw: {
    usage: "/raw IRC LINE",
    help: "send a raw IRC line, e.g. /raw MODE #lobby +t",
    run(args) {
      const line = args.trim();
      if (line === "") return err("usage: /raw IRC LINE");
      try {
        return { kind: "send", messages: [parse(line)] };
      } catch (e) {
        if (e instanceof IrcParseError) return err(`cannot send that line: ${e.message}`);
        throw e;
      }
    },
  },
  quit: {
    usage: "/quit [REASON]",
    help: "leave the server and exit (Ctrl-C or Ctrl-D on an empty line do the same)",
    run: (args) => ({ kind: "quit", reason: args.trim() }),
  },
};

/** A moderation command on the current room: NICK (required) and the rest. */
/** The current window when it is a room; a private window is none (it is not `#bob`). */
function currentRoom(state: ClientState): string | undefined {
  const here = state.current;
  return here !== undefined && state.isChannel(here) ? here : undefined;
}

function inRoom(
  state: ClientState,
  usage: string,
  args: string,
  build: (room: string, nick: string, rest: string) => IrcMessage[],
): Action {
  const room = state.current;
  if (room === undefined || !state.isChannel(room)) return err(NOT_IN_ROOM);
  const [nick, rest] = firstWord(args);
  if (nick === "") return err(`usage: ${usage}`);
  return { kind: "send", messages: build(room, nick, rest) };
}

/** `bob` -> `bob!*@*`; a mask the user wrote is kept. */
function banMask(who: string): string {
  return /[!@*]/.test(who) ? who : `${who}!*@*`;
}

function switchTo(args: string, state: ClientState): Action {
  const [name] = firstWord(args);
  if (/^[1-9][0-9]*$/.test(name)) return { kind: "window", index: Number(name) - 1 };
  if (name === "") {
    const rooms = [...state.rooms.values()].map((r) => r.name);
    return {
      kind: "info",
      text: `you are in: ${rooms.join(" ") || "no rooms"} (now: ${state.current ?? "none"})`,
    };
  }
  const joined = state.room(name) ?? state.room(toChannel(name, state));
  if (joined !== undefined) return { kind: "switch", target: joined.name };
  // "/switch bob" when bob is right here means bob, not a new empty room #bob
  // (where the next line would go to nobody); "/switch #bob" still joins #bob.
  if (!state.isChannel(name) && state.roomsOf(name).length > 0) {
    return { kind: "switch", target: name };
  }
  // Not a room we are in yet: join it.
  return { kind: "join", channels: [toChannel(name, state)] };
}

export function helpLines(): string[] {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return [
    ...Object.values(commands).map((c) => `${c.usage.padEnd(width)}  ${c.help}`),
    "Windows: every room and private conversation has one; the status line above the prompt",
    "      numbers them, (3) counts unread lines, ! marks a mention or a private line.",
    "      Alt-1..9 go to window N, Alt-Left/Right or Ctrl-P/Ctrl-N the previous/next one,",
    "      PageUp/PageDown scroll the window (past the top, older history is fetched).",
    "Keys: Tab completes nicks and commands, Up/Down recall lines, Ctrl-A/E start/end,",
    "      Ctrl-Left/Right or Alt-B/F move by words, Ctrl-K deletes to the end,",
    "      Ctrl-W/U delete a word/to the start, Ctrl-L redraws, Ctrl-C drops the typed line",
    "      (Up recalls it); Ctrl-C or Ctrl-D on an empty line quits.",
    "Paste: a pasted block of lines goes as one message where the server allows it",
    "      (draft/multiline); otherwise one message a line, asking first above 3 lines.",
    "Lines marked ~ after the time are history; //text sends a line starting with /.",
  ];
}

export const commandNames: readonly string[] = Object.keys(commands);

/** Interpret one typed line. */
export function parseInput(line: string, state: ClientState): Action {
  if (line.trim() === "") return { kind: "none" };
  if (line.startsWith("/") && !line.startsWith("//")) {
    const [word, rest] = firstWord(line.slice(1));
    const spec = commands[word.toLowerCase()];
    if (spec === undefined) return err(`unknown command /${word} (type /help for the list)`);
    return spec.run(rest, state);
  }
  const text = line.startsWith("//") ? line.slice(1) : line;
  const room = state.current;
  if (room === undefined) return err(NOT_IN_ROOM);
  return { kind: "say", target: room, text, action: false };
}
