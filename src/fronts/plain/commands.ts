/**
 * The plain-text slash-commands (`/join`, `/msg`, `/who`, ...), one function
 * each, in one table. They act through the core and speak through the front.
 */
import { ChatError } from "../../core/api.ts";
import { sameName } from "../../protocol/casemap.ts";
import { toChannel } from "../../protocol/text.ts";
import { claim, OWNED, unclaim } from "./claims.ts";
import type { CommandArgs, PlainContext } from "./context.ts";
import { clean, HELP, idle, isChannel, nickOf, prefixOf } from "./format.ts";

type Command = (f: PlainContext, args: CommandArgs) => void;

function help(f: PlainContext): void {
  f.say(...HELP);
}

function me(f: PlainContext, { rest }: CommandArgs): void {
  if (rest === "") f.say("*** Usage: /me TEXT");
  else f.toRoom(`\x01ACTION ${rest}\x01`);
}

function msg(f: PlainContext, { first, afterFirst }: CommandArgs): void {
  if (first === "" || afterFirst === "") {
    f.say("*** Usage: /msg NICK TEXT");
    return;
  }
  const away = f.sendText(first, afterFirst);
  // A room shows the line to everyone else; a private message gets a receipt.
  if (!isChannel(first)) f.sayReceipt(first, afterFirst, away);
}

function nick(f: PlainContext, { first }: CommandArgs): void {
  if (first === "") {
    f.say(`*** You are ${f.core.nick ?? "nobody yet"}. Usage: /nick NAME`);
    return;
  }
  try {
    f.core.setNick(first);
  } catch (err) {
    if (!(err instanceof ChatError)) throw err;
    f.say(`*** ${f.nickProblem(first, err)}`);
  }
}

function join(f: PlainContext, { first, afterFirst }: CommandArgs): void {
  if (first === "") f.say("*** Usage: /join ROOM [KEY]");
  else f.joinRoom(toChannel(first), afterFirst === "" ? undefined : afterFirst);
}

function query(f: PlainContext, { first, afterFirst }: CommandArgs): void {
  if (first === "") {
    f.say("*** Usage: /query NICK [TEXT]");
    return;
  }
  if (isChannel(first)) {
    f.joinRoom(first);
    return;
  }
  const found = f.core.user(first);
  if (found === undefined) {
    f.say(`*** There is no one called ${clean(first)} here.`);
    return;
  }
  f.current = found.nick;
  f.say(`*** Typed lines now go privately to ${clean(found.nick)}. /part to stop.`);
  if (afterFirst !== "") f.toRoom(afterFirst);
}

function part(f: PlainContext, { first, afterFirst, rest }: CommandArgs): void {
  const named = isChannel(first);
  if (!named && f.current !== undefined && !isChannel(f.current)) {
    const was = f.current;
    f.current = f.core.channels[0];
    f.say(
      `*** Private conversation with ${clean(was)} closed; you now talk in ${clean(f.current ?? "no room")}.`,
    );
    return;
  }
  const room = named ? first : f.current;
  if (room === undefined) {
    f.say("*** You are not in a room.");
    return;
  }
  const why = named ? afterFirst : rest;
  f.core.part(room, why === "" ? undefined : why);
  f.afterLeaving(room);
}

function who(f: PlainContext, { first }: CommandArgs): void {
  const room = first !== "" ? toChannel(first) : f.currentRoom;
  if (room === undefined) {
    f.say("*** Usage: /who ROOM");
    return;
  }
  const { entries, note } = f.core.who(room, false);
  if (note !== undefined) f.say(`*** ${clean(note)}`);
  const list = entries.map(
    (p) =>
      `${prefixOf(p)}${clean(p.nick)}${p.account !== null && sameName(p.account, p.nick) ? OWNED : ""}${p.away ? " (away)" : ""}`,
  );
  f.say(`*** ${entries.length} in ${clean(room)}: ${list.join(", ")}`);
}

function whois(f: PlainContext, { first }: CommandArgs): void {
  if (first === "") {
    f.say("*** Usage: /whois NICK");
    return;
  }
  const w = f.core.whois(first);
  const nick = clean(w.nick);
  const lines = [`*** ${nick} is ${clean(w.user)}@${clean(w.host)} (${clean(w.realname)})`];
  const rooms = w.rooms.map((r) => prefixOf(r) + r.name);
  if (rooms.length > 0) lines.push(`*** ${nick} is in ${clean(rooms.join(" "))}`);
  if (w.away !== undefined) lines.push(`*** ${nick} is away: ${clean(w.away)}`);
  if (w.plain) lines.push(`*** ${nick} is using a plain-text terminal`);
  lines.push(`*** ${nick} has been idle ${idle(w.idleSeconds)}`);
  f.say(...lines);
}

function topic(f: PlainContext, { rest }: CommandArgs): void {
  const room = f.currentRoom;
  if (room === undefined) {
    f.say("*** /topic works in a room; /join one first.");
    return;
  }
  if (rest !== "") {
    f.core.setTopic(room, rest);
    return;
  }
  const t = f.core.topic(room);
  f.say(
    t === undefined || t.text === ""
      ? `*** ${clean(room)} has no topic. Set one with /topic TEXT`
      : `*** Topic of ${clean(room)}: ${clean(t.text)} (set by ${nickOf(t.setBy)})`,
  );
}

function rooms(f: PlainContext): void {
  const list = f.core.channels;
  f.say(
    list.length === 0
      ? "*** You are in no room. /join one."
      : `*** Your rooms: ${list.map(clean).join(", ")}; you talk in ${clean(f.current ?? "none")}`,
  );
}

function away(f: PlainContext, { rest }: CommandArgs): void {
  f.core.setAway(rest === "" ? undefined : rest);
  f.say(
    rest === ""
      ? "*** You are back."
      : `*** You are marked away: ${clean(rest)}. Type /away again to come back.`,
  );
}

// ---- room moderation: needs operator status; the core says no otherwise ----

/** The room a moderation command acts on (the current one), or undefined after saying why. */
function moderatedRoom(
  f: PlainContext,
  usage: string,
  first: string,
  nickOptional = false,
): string | undefined {
  const room = f.currentRoom;
  if (room === undefined) {
    f.say(`*** Switch to a room first (/join ROOM), then: ${usage}`);
    return undefined;
  }
  if (first === "" && !nickOptional) {
    f.say(`*** Usage: ${usage}`);
    return undefined;
  }
  return room;
}

function memberOf(f: PlainContext, room: string, nick: string): boolean {
  return f.core.who(room, false).entries.some((e) => sameName(e.nick, nick));
}

/**
 * A nick present in the room is banned by user@host, which a /nick does not
 * escape; anyone else by nick. A typed mask (with ! or @) is used as given.
 */
function maskFor(f: PlainContext, room: string, target: string): string {
  if (target.includes("!") || target.includes("@")) return target;
  const e = f.core.who(room, false).entries.find((w) => sameName(w.nick, target));
  return e === undefined ? `${target}!*@*` : `*!${e.user}@${e.host}`;
}

function kick(f: PlainContext, { first, afterFirst }: CommandArgs): void {
  const room = moderatedRoom(f, "/kick NICK [REASON]", first);
  if (room === undefined) return;
  f.core.kick(room, first, afterFirst === "" ? "Kicked" : afterFirst);
}

function ban(f: PlainContext, { first, afterFirst }: CommandArgs): void {
  const room = moderatedRoom(f, "/ban NICK [REASON]", first);
  if (room === undefined) return;
  const present = memberOf(f, room, first);
  f.core.setModes(room, [{ sign: "+", mode: "b", param: maskFor(f, room, first) }]);
  if (present) f.core.kick(room, first, afterFirst === "" ? "Banned" : afterFirst);
}

function unban(f: PlainContext, { first }: CommandArgs): void {
  const room = moderatedRoom(f, "/unban NICK|MASK", first);
  if (room === undefined) return;
  f.core.setModes(room, [{ sign: "-", mode: "b", param: maskFor(f, room, first) }]);
}

/** A ban mask on someone who stays in the room silences them (IRC's classic "quiet"). */
function mute(f: PlainContext, { first }: CommandArgs, sign: "+" | "-"): void {
  const room = moderatedRoom(f, `/${sign === "+" ? "" : "un"}mute [NICK]`, first, true);
  if (room === undefined) return;
  f.core.setModes(
    room,
    first === "" ? [{ sign, mode: "m" }] : [{ sign, mode: "b", param: maskFor(f, room, first) }],
  );
}

function quit(f: PlainContext, { rest }: CommandArgs): void {
  f.leave();
  f.core.quit(rest === "" ? undefined : rest);
}

// Maps, not object literals: "/constructor" must be an unknown command, not Object.prototype.
export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ["help", help],
  ["me", me],
  ["msg", msg],
  ["nick", nick],
  ["join", join],
  ["part", part],
  ["who", who],
  ["whois", whois],
  ["topic", topic],
  ["rooms", rooms],
  ["quit", quit],
  ["query", query],
  ["away", away],
  ["kick", kick],
  ["ban", ban],
  ["unban", unban],
  ["claim", claim],
  ["unclaim", unclaim],
  ["mute", (f, a) => mute(f, a, "+")],
  ["unmute", (f, a) => mute(f, a, "-")],
]);

export const ALIASES: ReadonlyMap<string, string> = new Map([
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
