/**
 * How the plain-text front words things for a person on nc or telnet: event
 * lines such as `12:01 <alice> hi`, history lines, refusals as sentences, the
 * /help text. Everything from other users goes through `clean` first, so
 * control bytes (IRC colours, terminal escapes, bidi overrides) never reach the
 * terminal raw. Pure.
 */
import {
  type BusEvent,
  type ChatError,
  type HistoryEntry,
  type RoomView,
  prefixOf as statusPrefix,
} from "../../core/api.ts";
import { sameName } from "../../protocol/casemap.ts";
import { clean, nickOf as sourceNick } from "../../protocol/text.ts";

/** The mark for an owned nick, in /who and in the list of who is here. */
export const OWNED = "✓";

export { clean } from "../../protocol/text.ts";

const encoder = new TextEncoder();
export const DEFAULT_PLAIN_ROOM = "#lobby";

/** `nick!user@host` -> `nick`, safe to show. */
export function nickOf(source: string): string {
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

export function dayAndClock(time: number, now: number): string {
  const d = new Date(time);
  if (d.toDateString() === new Date(now).toDateString()) return clock(time);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock(time)}`;
}

export const ACTION = /^\x01ACTION(?: (.*?))?\x01?$/s;

/** Lines of a multi-line message formatted one by one (blank ones left out), CR LF between. */
function eachLine(text: string, format: (line: string) => string): string {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(format)
    .join("\r\n");
}

/**
 * One message as a line. `where` is the room shown before the nick, or "" when
 * the reader knows the room already.
 */
export function messageLine(
  time: string,
  where: string,
  command: "PRIVMSG" | "NOTICE",
  nick: string,
  text: string,
): string {
  // A draft/multiline message: one line per line, each with its prefix.
  if (text.includes("\n") && !text.startsWith("\x01"))
    return eachLine(text, (l) => messageLine(time, where, command, nick, l));
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
 * An event as a line (a message to a nick is a private one to the reader); depends only on the event and `labelAll` (the
 * variant), never on the recipient, so the bytes can be shared.
 */
export function formatEvent(event: BusEvent, labelAll = false): string | null {
  const t = clock(event.time);
  const who = nickOf(event.source);
  switch (event.type) {
    case "message": {
      // A STATUSMSG (`@#room`) shows in its room, like any message there.
      const target = event.statusmsg === undefined ? event.target : event.target.slice(1);
      if (!isChannel(target)) return privateLine(t, who, event.command, event.text);
      const line = messageLine(t, roomLabel(target, labelAll), event.command, who, event.text);
      return line === "" ? null : line;
    }
    case "tagmsg":
      return null;
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
    case "wallops":
      return `${t} * WALLOPS from ${who}: ${clean(event.text)}`;
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
    case "rename":
      return `${t} * ${who} renamed ${clean(event.from)} to ${clean(event.channel)}${reason(event.reason)}`;
    case "setname":
    case "redact":
      // Only shown to clients with the setname / message-redaction capability,
      // which a person at nc never has.
      return null;
    case "account":
      return event.text === ""
        ? `${t} * ${who} no longer owns their nick`
        : `${t} * ${who} now owns the nick ${clean(event.text)} ✓`;
  }
}

/** A private message to the reader: `12:01 *bob* psst`. */
function privateLine(
  t: string,
  who: string,
  command: "PRIVMSG" | "NOTICE",
  text: string,
): string | null {
  if (text.includes("\n") && !text.startsWith("\x01"))
    return eachLine(text, (l) => privateLine(t, who, command, l) ?? "");
  const action = command === "PRIVMSG" ? ACTION.exec(text) : null;
  if (action !== null) return `${t} * ${who} ${clean(action[1] ?? "")} (privately)`;
  if (text.startsWith("\x01")) return null;
  if (command === "NOTICE") return `${t} -${who}- ${clean(text)}`;
  return `${t} *${who}* ${clean(text)}`;
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

export function bytes(...lines: string[]): Uint8Array {
  return encoder.encode(lines.map((l) => `${l}\r\n`).join(""));
}

export const HELP = [
  "Type a line and press Enter to talk in your current room. Commands:",
  "  /join ROOM [KEY]   join a room (or switch to it) and talk there",
  "  /part [ROOM]       leave a room (default: the current one)",
  "  /msg NICK TEXT     send a private message",
  "  /query NICK        typed lines go privately to NICK (/part to stop)",
  "  /me TEXT           describe an action: * you TEXT",
  "  /nick NAME         change your nickname",
  "  /claim SECRET      keep your nickname for next time (/unclaim to give it up)",
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

export const NICK_RULES =
  "use letters, digits and - _ [ ] { } | ^ ` (up to 30), not starting with a digit or -";

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

/** "42 s", "5 min", "3 h": idle time as a person says it. */
export function idle(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

/** The highest status of a member, as a person reads it: `@` or `+`. */
export function prefixOf(m: { op: boolean; voice: boolean }): string {
  return statusPrefix(m, false);
}

export function isChannel(name: string): boolean {
  return /^[#&]/.test(name);
}

/** What a person sees on joining: who is here and the topic. */
export function joinedLines(room: RoomView): string[] {
  const names = room.members.map(
    (m) => `${prefixOf(m)}${clean(m.nick)}${m.owned === true ? OWNED : ""}`,
  );
  const lines = [
    `*** You are in ${clean(room.channel)} now, with ${names.length} here: ${names.join(", ")}`,
  ];
  if (room.topic !== undefined && room.topic.text !== "") {
    lines.push(`*** Topic: ${clean(room.topic.text)} (set by ${nickOf(room.topic.setBy)})`);
  }
  return lines;
}

/** The recent history shown on joining, marked so it is not read as live. */
export function replayLines(
  channel: string,
  entries: readonly HistoryEntry[],
  now: number,
): string[] {
  if (entries.length === 0) return [];
  const lines = [`*** Recent messages in ${clean(channel)} (history):`];
  for (const e of entries) {
    if (e.command !== "PRIVMSG" && e.command !== "NOTICE") continue;
    const line = messageLine(dayAndClock(e.time, now), "", e.command, nickOf(e.source), e.text);
    for (const l of line.split("\r\n")) if (l !== "") lines.push(`[history] ${l}`);
  }
  lines.push("*** End of history.");
  return lines;
}
