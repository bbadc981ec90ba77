/**
 * The human front: what someone on `nc host 6667` or `telnet host 6667` sees.
 *
 * It asks for the server password (when there is one) and a nickname, puts the
 * person in #lobby with the recent lines, and then turns typed text into room
 * messages and slash-commands, and room events into readable lines such as
 * `12:01 <alice> hi`. Everything from other users goes through `clean` first, so
 * control bytes (IRC colours, terminal escapes, bidi overrides) never reach the
 * terminal raw.
 */
import type { BusEvent, MessageEvent } from "../bus/events.ts";
import { foldCase, sameName } from "../protocol/casemap.ts";
import { clean, nickOf as sourceNick, splitText, toChannel } from "../protocol/text.ts";
import { secretsEqual } from "../security/password.ts";
import type { HistoryEntry } from "../store/store.ts";
import { ChatError } from "./errors.ts";
import {
  type Front,
  type JoinedInfo,
  PLAIN_LABELLED_VARIANT,
  type PlainCore,
  type PlainFrontFactory,
} from "./front.ts";

export { clean } from "../protocol/text.ts";

const encoder = new TextEncoder();
export const DEFAULT_PLAIN_ROOM = "#lobby";

/** `nick!user@host` -> `nick`, safe to show. */
function nickOf(source: string): string {
  return clean(sourceNick(source));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Server-local HH:MM. */
export function clock(time: number): string {
  const d = new Date(time);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function dayAndClock(time: number, now: number): string {
  const d = new Date(time);
  if (d.toDateString() === new Date(now).toDateString()) return clock(time);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock(time)}`;
}

const ACTION = /^\x01ACTION(?: (.*?))?\x01?$/s;

/**
 * One message as a line. `where` is the room shown before the nick, or "" when
 * the reader knows the room already.
 */
function messageLine(
  time: string,
  where: string,
  command: "PRIVMSG" | "NOTICE",
  nick: string,
  text: string,
): string {
  const room = where === "" ? "" : `${clean(where)} `;
  const action = command === "PRIVMSG" ? ACTION.exec(text) : null;
  if (action !== null) return `${time} ${room}* ${nick} ${clean(action[1] ?? "")}`;
  if (text.startsWith("\x01")) return ""; // other CTCP requests mean nothing to a human
  if (command === "NOTICE") return `${time} ${room}-${nick}- ${clean(text)}`;
  return `${time} ${room}<${nick}> ${clean(text)}`;
}

/**
 * Rooms other than the lobby are named on every line; someone in several rooms
 * sees the lobby named too, or its lines would pass for the current room's.
 */
function roomLabel(channel: string, labelAll: boolean): string {
  return !labelAll && sameName(channel, DEFAULT_PLAIN_ROOM) ? "" : channel;
}

/**
 * A room or user event as a line; depends only on the event and `labelAll` (the
 * variant), never on the recipient, so the bytes can be shared.
 */
export function formatEvent(event: BusEvent, labelAll = false): string | null {
  const t = clock(event.time);
  const who = nickOf(event.source);
  switch (event.type) {
    case "message": {
      const line = messageLine(
        t,
        roomLabel(event.target, labelAll),
        event.command,
        who,
        event.text,
      );
      return line === "" ? null : line;
    }
    case "join":
      return `${t} * ${who} joined ${clean(event.channel)}`;
    case "part":
      return `${t} * ${who} left ${clean(event.channel)}${reason(event.reason)}`;
    case "kick":
      return `${t} * ${clean(event.victim)} was kicked from ${clean(event.channel)} by ${who}${reason(event.reason)}`;
    case "topic":
      return event.text === ""
        ? `${t} * ${who} cleared the topic of ${clean(event.channel)}`
        : `${t} * ${who} set the topic of ${clean(event.channel)} to: ${clean(event.text)}`;
    case "mode":
      return `${t} * ${who} set mode ${clean(event.modes.join(" "))} on ${clean(event.channel)}`;
    case "invite":
      return `${t} * ${who} invites ${clean(event.invitee)} to ${clean(event.channel)} (type /join ${clean(event.channel)})`;
    case "quit":
      return `${t} * ${who} quit${reason(quitReason(event.text))}`;
    case "nick":
      return `${t} * ${who} is now known as ${clean(event.text)}`;
    case "away":
      return event.text === ""
        ? `${t} * ${who} is back`
        : `${t} * ${who} is away: ${clean(event.text)}`;
  }
}

/**
 * What a person wrote when leaving: IRC's "Quit: " wrapper is dropped, and the
 * stock "Client quit" (nothing was written) shows as nothing.
 */
function quitReason(text: string): string {
  const own = text.startsWith("Quit: ") ? text.slice(6) : text;
  return own === "Client quit" ? "" : own;
}

function reason(text: string | undefined): string {
  return text === undefined || text === "" ? "" : ` (${clean(text)})`;
}

function bytes(...lines: string[]): Uint8Array {
  return encoder.encode(lines.map((l) => `${l}\r\n`).join(""));
}

const HELP = [
  "Type a line and press Enter to talk in your current room. Commands:",
  "  /join ROOM [KEY]   join a room (or switch to it) and talk there",
  "  /part [ROOM]       leave a room (default: the current one)",
  "  /msg NICK TEXT     send a private message",
  "  /query NICK        typed lines go privately to NICK (/part to stop)",
  "  /me TEXT           describe an action: * you TEXT",
  "  /nick NAME         change your nickname",
  "  /who [ROOM]        who is in the room",
  "  /whois NICK        who someone is: rooms, away, idle time",
  "  /topic [TEXT]      show or set the room's topic",
  "  /rooms             the rooms you are in",
  "  /away [MESSAGE]    mark yourself away (no message: back again)",
  "Room operators (@) also have:",
  "  /kick NICK [WHY]   put someone out of the room",
  "  /ban NICK [WHY]    put someone out and keep them out (/unban NICK|MASK)",
  "  /mute NICK         keep someone in the room but silent (/unmute NICK|MASK)",
  "  /mute              only operators and voiced users may talk (/unmute)",
  "  /help              this list",
  "  /quit [MESSAGE]    leave the server",
  "Start a line with // to send text that begins with /.",
];

const NICK_RULES =
  "use letters, digits and - _ [ ] { } | ^ ` (up to 30), not starting with a digit or -";

type Stage = "password" | "nick" | "chat" | "gone";

/**
 * Text bytes per message. 512 minus CR LF, the sender's `:nick!~user@host`
 * (up to 30 + 10 + 64 here) and ` PRIVMSG #target :` (channel names up to 50)
 * leaves about 350; round down for safety.
 */
export const MESSAGE_BYTES = 340;

const PASSWORD_TRIES = 3;

export interface PlainOptions {
  /** The server asks for this password before the nickname. */
  password?: string | undefined;
  /** Compares a typed password with the server's in constant time. */
  checkPassword?: (typed: string) => boolean;
  /** Shown in the greeting. */
  serverName?: string;
  /** Clock for "today" in history, injectable for tests. */
  now?: () => number;
}

export class PlainFront implements Front {
  readonly kind = "plain" as const;
  get variant(): number {
    return this.core.variant;
  }
  private stage: Stage;
  /** Where typed text goes: a room, a nick (after /query), or nowhere. */
  private current: string | undefined;
  private passwordTries = 0;
  /** Away messages already shown, by casefolded nick, so a /query is not repeated at. */
  private readonly awaySeen = new Map<string, string>();

  constructor(
    private readonly core: PlainCore,
    private readonly opts: PlainOptions = {},
  ) {
    this.stage = opts.password !== undefined || opts.checkPassword ? "password" : "nick";
  }

  start(): void {
    const name = this.opts.serverName ? ` at ${this.opts.serverName}` : "";
    this.say(
      `*** Welcome to chat${name}: rooms of people talking, right here in your terminal.`,
      this.stage === "password"
        ? "*** This server has a password. Password?"
        : "*** Pick a nickname and press Enter:",
    );
  }

  line(text: string): void {
    try {
      if (this.stage === "password") this.passwordLine(text.trim());
      else if (this.stage === "nick") this.nickLine(text.trim());
      else if (this.stage === "chat") this.chatLine(text);
    } catch (err) {
      if (err instanceof ChatError) this.error(err);
      else throw err;
    }
  }

  private passwordLine(typed: string): void {
    if (typed === "") return;
    const ok =
      this.opts.checkPassword !== undefined
        ? this.opts.checkPassword(typed)
        : secretsEqual(typed, this.opts.password ?? "");
    if (ok) {
      this.stage = "nick";
      this.say("*** Password accepted. Pick a nickname and press Enter:");
      return;
    }
    // A few tries: someone typing before the question appeared should not be cut off.
    this.core.passwordFailed();
    this.passwordTries++;
    if (this.passwordTries >= PASSWORD_TRIES) {
      this.stage = "gone";
      this.say("*** Wrong password again; closing the connection.");
      this.core.quit("Wrong password");
      return;
    }
    this.say("*** Wrong password. Password?");
  }

  private nickLine(typed: string): void {
    if (typed === "") return;
    // "nick carol" (as on IRC, without the slash) means the nickname carol.
    let nick = /^(?:nick|user)\s+(\S+)$/i.exec(typed)?.[1] ?? typed;
    if (typed.startsWith("/")) {
      // Commands before a nickname: /nick NAME is the obvious one; /quit must work too.
      const [cmd = "", arg = ""] = typed.slice(1).split(/\s+/);
      if (cmd.toLowerCase() === "quit") {
        this.stage = "gone";
        this.core.quit();
        return;
      }
      if (cmd.toLowerCase() !== "nick" || arg === "") {
        this.say("*** First pick a nickname: just type it and press Enter.");
        return;
      }
      nick = arg;
    }
    try {
      this.core.register(nick);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.say(`*** ${this.nickProblem(nick, err)} Nickname:`);
      return;
    }
    this.stage = "chat";
    this.say(`*** Hello ${this.core.nick ?? nick}! Type /help for commands.`);
    this.joinRoom(DEFAULT_PLAIN_ROOM);
  }

  private chatLine(text: string): void {
    if (text.trim() === "") return;
    if (text.startsWith("//")) {
      this.toRoom(text.slice(1));
      return;
    }
    if (!text.startsWith("/")) {
      this.toRoom(text);
      return;
    }
    const m = /^\/(\S*)\s*(.*)$/s.exec(text);
    const name = (m?.[1] ?? "").toLowerCase();
    const rest = (m?.[2] ?? "").trim();
    const first = rest === "" ? "" : (rest.split(/\s+/)[0] ?? "");
    const args: CommandArgs = { rest, first, afterFirst: rest.slice(first.length).trim() };
    const command = COMMANDS.get(ALIASES.get(name) ?? name);
    if (command === undefined) {
      this.say(`*** Unknown command /${clean(name)}. Type /help for the list.`);
      return;
    }
    command.call(this, args);
  }

  help(): void {
    this.say(...HELP);
  }

  me({ rest }: CommandArgs): void {
    if (rest === "") this.say("*** Usage: /me TEXT");
    else this.toRoom(`\x01ACTION ${rest}\x01`);
  }

  msg({ first, afterFirst }: CommandArgs): void {
    if (first === "" || afterFirst === "") {
      this.say("*** Usage: /msg NICK TEXT");
      return;
    }
    const away = this.sendText(first, afterFirst);
    // A room shows the line to everyone else; a private message gets a receipt.
    if (!isChannel(first)) this.sayReceipt(first, afterFirst, away);
  }

  nick({ first }: CommandArgs): void {
    if (first === "") {
      this.say(`*** You are ${this.core.nick ?? "nobody yet"}. Usage: /nick NAME`);
      return;
    }
    try {
      this.core.setNick(first);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.say(`*** ${this.nickProblem(first, err)}`);
    }
  }

  join({ first, afterFirst }: CommandArgs): void {
    if (first === "") this.say("*** Usage: /join ROOM [KEY]");
    else this.joinRoom(toChannel(first), afterFirst === "" ? undefined : afterFirst);
  }

  query({ first, afterFirst }: CommandArgs): void {
    if (first === "") {
      this.say("*** Usage: /query NICK [TEXT]");
      return;
    }
    if (isChannel(first)) {
      this.joinRoom(first);
      return;
    }
    const found = this.core.who(first)[0];
    if (found === undefined) {
      this.say(`*** There is no one called ${clean(first)} here.`);
      return;
    }
    this.current = found.nick;
    this.say(`*** Typed lines now go privately to ${clean(found.nick)}. /part to stop.`);
    if (afterFirst !== "") this.toRoom(afterFirst);
  }

  part({ first, afterFirst, rest }: CommandArgs): void {
    const named = isChannel(first);
    if (!named && this.current !== undefined && !isChannel(this.current)) {
      const was = this.current;
      this.current = this.core.channels[0];
      this.say(
        `*** Private conversation with ${clean(was)} closed; you now talk in ${clean(this.current ?? "no room")}.`,
      );
      return;
    }
    const room = named ? first : this.current;
    if (room === undefined) {
      this.say("*** You are not in a room.");
      return;
    }
    const why = named ? afterFirst : rest;
    this.core.part(room, why === "" ? undefined : why);
    this.afterLeaving(room);
  }

  who({ first }: CommandArgs): void {
    const room = first !== "" ? toChannel(first) : this.currentRoom;
    if (room === undefined) {
      this.say("*** Usage: /who ROOM");
      return;
    }
    const people = this.core.who(room);
    const list = people.map((p) => `${p.prefix}${clean(p.nick)}${p.away ? " (away)" : ""}`);
    this.say(`*** ${people.length} in ${clean(room)}: ${list.join(", ")}`);
  }

  whois({ first }: CommandArgs): void {
    if (first === "") {
      this.say("*** Usage: /whois NICK");
      return;
    }
    const w = this.core.whois(first);
    const nick = clean(w.nick);
    const lines = [`*** ${nick} is ${clean(w.user)}@${clean(w.host)} (${clean(w.realname)})`];
    if (w.rooms.length > 0) lines.push(`*** ${nick} is in ${clean(w.rooms.join(" "))}`);
    if (w.away !== undefined) lines.push(`*** ${nick} is away: ${clean(w.away)}`);
    if (w.plain) lines.push(`*** ${nick} is using a plain-text terminal`);
    lines.push(`*** ${nick} has been idle ${idle(w.idleSeconds)}`);
    this.say(...lines);
  }

  topic({ rest }: CommandArgs): void {
    const room = this.currentRoom;
    if (room === undefined) {
      this.say("*** /topic works in a room; /join one first.");
      return;
    }
    if (rest !== "") {
      this.core.topic(room, rest);
      return;
    }
    const topic = this.core.topic(room);
    this.say(
      topic === undefined || topic.text === ""
        ? `*** ${clean(room)} has no topic. Set one with /topic TEXT`
        : `*** Topic of ${clean(room)}: ${clean(topic.text)} (set by ${nickOf(topic.setBy)})`,
    );
  }

  rooms(): void {
    const rooms = this.core.channels;
    this.say(
      rooms.length === 0
        ? "*** You are in no room. /join one."
        : `*** Your rooms: ${rooms.map(clean).join(", ")}; you talk in ${clean(this.current ?? "none")}`,
    );
  }

  away({ rest }: CommandArgs): void {
    this.core.setAway(rest === "" ? undefined : rest);
    this.say(
      rest === ""
        ? "*** You are back."
        : `*** You are marked away: ${clean(rest)}. Type /away again to come back.`,
    );
  }

  // ---- room moderation: needs operator status; the server says no otherwise ----

  kick({ first, afterFirst }: CommandArgs): void {
    const room = this.moderatedRoom("/kick NICK [REASON]", first);
    if (room === undefined) return;
    this.core.kick(room, first, afterFirst === "" ? "Kicked" : afterFirst);
  }

  ban({ first, afterFirst }: CommandArgs): void {
    const room = this.moderatedRoom("/ban NICK [REASON]", first);
    if (room === undefined) return;
    const present = this.memberOf(room, first);
    this.core.setModes(room, [{ sign: "+", mode: "b", param: this.maskFor(room, first) }]);
    if (present) this.core.kick(room, first, afterFirst === "" ? "Banned" : afterFirst);
  }

  unban({ first }: CommandArgs): void {
    const room = this.moderatedRoom("/unban NICK|MASK", first);
    if (room === undefined) return;
    this.core.setModes(room, [{ sign: "-", mode: "b", param: this.maskFor(room, first) }]);
  }

  mute({ first }: CommandArgs): void {
    const room = this.moderatedRoom("/mute [NICK]", first, true);
    if (room === undefined) return;
    // A ban mask on someone who stays in the room silences them (IRC's classic "quiet").
    this.core.setModes(
      room,
      first === ""
        ? [{ sign: "+", mode: "m" }]
        : [{ sign: "+", mode: "b", param: this.maskFor(room, first) }],
    );
  }

  unmute({ first }: CommandArgs): void {
    const room = this.moderatedRoom("/unmute [NICK]", first, true);
    if (room === undefined) return;
    this.core.setModes(
      room,
      first === ""
        ? [{ sign: "-", mode: "m" }]
        : [{ sign: "-", mode: "b", param: this.maskFor(room, first) }],
    );
  }

  /** The room a moderation command acts on (the current one), or undefined after saying why. */
  private moderatedRoom(usage: string, first: string, nickOptional = false): string | undefined {
    const room = this.currentRoom;
    if (room === undefined) {
      this.say(`*** Switch to a room first (/join ROOM), then: ${usage}`);
      return undefined;
    }
    if (first === "" && !nickOptional) {
      this.say(`*** Usage: ${usage}`);
      return undefined;
    }
    return room;
  }

  private memberOf(room: string, nick: string): boolean {
    return this.core.who(room).some((e) => sameName(e.nick, nick));
  }

  /**
   * A nick present in the room is banned by user@host, which a /nick does not
   * escape; anyone else by nick. A typed mask (with ! or @) is used as given.
   */
  private maskFor(room: string, target: string): string {
    if (target.includes("!") || target.includes("@")) return target;
    const e = this.core.who(room).find((w) => sameName(w.nick, target));
    return e === undefined ? `${target}!*@*` : `*!${e.user}@${e.host}`;
  }

  quit({ rest }: CommandArgs): void {
    this.stage = "gone";
    this.core.quit(rest === "" ? undefined : rest);
  }

  private nickProblem(nick: string, err: ChatError): string {
    if (err.code === "nicknameInUse") {
      return `${clean(nick)} is taken. Try ${this.core.suggestNick(nick)}?`;
    }
    if (err.code === "erroneusNickname" || err.code === "noNicknameGiven") {
      return `${clean(nick)} can't be a nickname: ${NICK_RULES}.`;
    }
    return clean(plainError(err));
  }

  /** The current target when it is a room (not a /query nick). */
  private get currentRoom(): string | undefined {
    return this.current !== undefined && isChannel(this.current) ? this.current : undefined;
  }

  private toRoom(text: string): void {
    const target = this.current;
    if (target === undefined) {
      this.say("*** You are not in a room. /join one, e.g. /join lobby");
      return;
    }
    if (isChannel(target) && !this.core.channels.some((c) => sameName(c, target))) {
      // Kicked, most likely: the shared event line could not say it was us.
      this.current = this.core.channels[0];
      this.say(
        `*** You are no longer in ${clean(target)}; that line was not sent. /join ${clean(target)} to go back${this.current === undefined ? "." : `, or type again to talk in ${clean(this.current)}.`}`,
      );
      return;
    }
    const away = this.sendText(target, text);
    if (!isChannel(target)) this.sayReceipt(target, text, away);
  }

  /** `-> *bob* hi`, plus bob's away message the first time it is seen. */
  private sayReceipt(to: string, text: string, away: string | undefined): void {
    const lines = [this.receipt(to, text)];
    const key = foldCase(to);
    if (away !== undefined && this.awaySeen.get(key) !== away) {
      lines.push(`*** ${clean(to)} is away: ${clean(away)}`);
    }
    if (away === undefined) this.awaySeen.delete(key);
    else this.awaySeen.set(key, away);
    this.say(...lines);
  }

  /**
   * nc has no limit on a typed line, IRC has 512 bytes: long text goes out as
   * several messages, cut at spaces where possible, so IRC users get all of it.
   */
  private sendText(target: string, text: string): string | undefined {
    const action = ACTION.exec(text);
    const pieces =
      action === null
        ? splitText(text, MESSAGE_BYTES)
        : splitText(action[1] ?? "", MESSAGE_BYTES - 9).map((p) => `\x01ACTION ${p}\x01`);
    let away: string | undefined;
    for (const piece of pieces) away = this.core.send(target, piece).away;
    return away;
  }

  /** What the sender of a private message sees: `-> *bob* hi`. */
  private receipt(to: string, text: string): string {
    const action = ACTION.exec(text);
    const body = action !== null ? `* ${this.core.nick ?? ""} ${action[1] ?? ""}` : text;
    return `-> *${clean(to)}* ${clean(body)}`;
  }

  private joinRoom(channel: string, key?: string): void {
    const already = this.core.channels.find((c) => sameName(c, channel));
    if (already !== undefined) {
      this.current = already;
      this.say(`*** You now talk in ${clean(already)}.`);
      return;
    }
    this.core.join(channel, key);
    // `joined` has set `current` by now; a refused join threw above.
  }

  private afterLeaving(room: string): void {
    if (this.current !== undefined && sameName(this.current, room)) {
      this.current = this.core.channels.find((c) => !sameName(c, room));
      this.say(
        this.current === undefined
          ? `*** You left ${clean(room)} and are in no room now. /join one.`
          : `*** You left ${clean(room)}; you now talk in ${clean(this.current)}.`,
      );
    }
  }

  render(event: BusEvent): Uint8Array | null {
    const line = formatEvent(event, this.core.variant === PLAIN_LABELLED_VARIANT);
    return line === null ? null : bytes(line);
  }

  direct(event: MessageEvent): Uint8Array | null {
    const who = nickOf(event.source);
    const action = event.command === "PRIVMSG" ? ACTION.exec(event.text) : null;
    const t = clock(event.time);
    if (action !== null) return bytes(`${t} * ${who} ${clean(action[1] ?? "")} (privately)`);
    if (event.text.startsWith("\x01")) return null;
    if (event.command === "NOTICE") return bytes(`${t} -${who}- ${clean(event.text)}`);
    return bytes(`${t} *${who}* ${clean(event.text)}`);
  }

  joined(info: JoinedInfo): void {
    this.current = info.channel;
    const names = info.members.map((m) => `${m.prefix}${clean(m.nick)}`);
    const lines = [
      `*** You are in ${clean(info.channel)} now, with ${names.length} here: ${names.join(", ")}`,
    ];
    if (info.topic !== undefined && info.topic.text !== "") {
      lines.push(`*** Topic: ${clean(info.topic.text)} (set by ${nickOf(info.topic.setBy)})`);
    }
    this.say(...lines);
  }

  replay(channel: string, entries: readonly HistoryEntry[]): void {
    if (entries.length === 0) return;
    const now = this.opts.now?.() ?? Date.now();
    const lines = [`*** Recent messages in ${clean(channel)} (history):`];
    for (const e of entries) {
      const line = messageLine(dayAndClock(e.time, now), "", e.command, nickOf(e.source), e.text);
      if (line !== "") lines.push(`[history] ${line}`);
    }
    lines.push("*** End of history.");
    this.say(...lines);
  }

  notice(text: string): void {
    this.say(`*** ${clean(text)}`);
  }

  error(err: ChatError): void {
    this.say(`*** ${clean(plainError(err))}`);
  }

  farewell(reason: string): Uint8Array {
    this.stage = "gone";
    // The user's own /quit needs no explanation; a timeout or a flood does.
    return bytes(reason.startsWith("Quit:") ? "*** Bye!" : `*** Disconnected: ${clean(reason)}`);
  }

  private say(...lines: string[]): void {
    this.core.write(bytes(...lines));
  }
}

/** A refused action as a sentence a person understands. */
export function plainError(err: ChatError): string {
  const [a = "", b = ""] = err.subject.map(clean);
  switch (err.code) {
    case "noSuchNick":
      return `There is no one called ${a} here.`;
    case "noSuchChannel":
      return `There is no room ${a}.`;
    case "cannotSendToChan":
      return `You can't talk in ${a} right now (it is moderated, or you are not in it).`;
    case "notOnChannel":
      return `You are not in ${a}.`;
    case "badChannelKey":
      return `${a} needs a key: /join ${a} KEY`;
    case "inviteOnlyChan":
      return `${a} is invite-only.`;
    case "bannedFromChan":
      return `You are banned from ${a}.`;
    case "channelIsFull":
      return `${a} is full.`;
    case "chanOpPrivsNeeded":
      return `Only a room operator of ${a} can do that.`;
    case "badChanMask":
      return `${a} is not a valid room name.`;
    case "tooManyChannels":
      return "You are in too many rooms; /part one first.";
    case "userNotInChannel":
      return `${a} is not in ${b}.`;
    default:
      return err.message;
  }
}

interface CommandArgs {
  /** Everything after the command word, trimmed. */
  rest: string;
  /** The first word of `rest`. */
  first: string;
  /** `rest` without its first word. */
  afterFirst: string;
}

type Command = (this: PlainFront, args: CommandArgs) => void;

// Maps, not object literals: "/constructor" must be an unknown command, not Object.prototype.
const COMMANDS = new Map<string, Command>([
  ["help", PlainFront.prototype.help],
  ["me", PlainFront.prototype.me],
  ["msg", PlainFront.prototype.msg],
  ["nick", PlainFront.prototype.nick],
  ["join", PlainFront.prototype.join],
  ["part", PlainFront.prototype.part],
  ["who", PlainFront.prototype.who],
  ["whois", PlainFront.prototype.whois],
  ["topic", PlainFront.prototype.topic],
  ["rooms", PlainFront.prototype.rooms],
  ["quit", PlainFront.prototype.quit],
  ["query", PlainFront.prototype.query],
  ["away", PlainFront.prototype.away],
  ["kick", PlainFront.prototype.kick],
  ["ban", PlainFront.prototype.ban],
  ["unban", PlainFront.prototype.unban],
  ["mute", PlainFront.prototype.mute],
  ["unmute", PlainFront.prototype.unmute],
]);

const ALIASES = new Map<string, string>([
  ["?", "help"],
  ["m", "msg"],
  ["j", "join"],
  ["switch", "join"],
  ["leave", "part"],
  ["names", "who"],
  ["channels", "rooms"],
  ["exit", "quit"],
  ["bye", "quit"],
]);

/** "42 s", "5 min", "3 h": idle time as a person says it. */
function idle(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

function isChannel(name: string): boolean {
  return /^[#&]/.test(name);
}

export function plainFrontFactory(opts: PlainOptions = {}): PlainFrontFactory {
  return (core) => new PlainFront(core, opts);
}
