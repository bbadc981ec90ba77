/**
 * Events -> text. `formatPlain` is the pipe-mode line (`HH:MM <nick> text`);
 * `formatTerminal` adds colour, marks and wrapping for a person at a terminal;
 * `formatJson` is the --json object. Pure.
 */
import { foldCase } from "../../protocol/casemap.ts";
import type { ClientEvent } from "../events.ts";
import { safeEvent } from "./safe.ts";

export function hhmm(d: Date): string {
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/** Colours that read on dark and light backgrounds (no black, white or blue-on-black). */
const NICK_COLOURS = [31, 32, 33, 35, 36, 91, 92, 93, 94, 95, 96, 34] as const;

/** The same nick gets the same colour in every session and on every machine. */
export function nickColour(nick: string): number {
  let h = 5381;
  const key = foldCase(nick);
  for (let i = 0; i < key.length; i++) h = ((h * 33) ^ key.charCodeAt(i)) >>> 0;
  return NICK_COLOURS[h % NICK_COLOURS.length] as number;
}

const ESC = "\x1b[";
const RESET = `${ESC}0m`;
const DIM = `${ESC}2m`;
const BOLD = `${ESC}1m`;
const REVERSE = `${ESC}7m`;
const RED = `${ESC}31m`;

function colourNick(nick: string, colour: boolean): string {
  return colour ? `${ESC}${nickColour(nick)}m${nick}${RESET}` : nick;
}

function roomTag(room: string | undefined, current: string | undefined): string {
  if (room === undefined || room === "" || current === undefined) return "";
  return foldCase(room) === foldCase(current) ? "" : `[${room}] `;
}

/** One line a script can parse: `HH:MM <nick> text`; events other than messages get `* `. */
export function formatPlain(
  raw: ClientEvent,
  current?: string,
  today: Date = new Date(),
): string | undefined {
  const ev = safeEvent(raw);
  let t = hhmm(ev.time);
  switch (ev.type) {
    case "message": {
      // As on screen: "~" marks replayed history (a script must not act on it
      // twice), and history from another day carries its date.
      if (ev.history) t = `${sameDay(ev.time, today) ? t : dayStamp(ev.time)}~`;
      const tag = roomTag(ev.room, current);
      // A multi-line message is one output line per line, each parseable alone.
      const head =
        ev.kind === "action"
          ? `${t} ${tag}* ${ev.nick} `
          : ev.kind === "notice"
            ? `${t} ${tag}-${ev.nick}- `
            : `${t} ${tag}<${ev.nick}> `;
      return ev.text
        .split("\n")
        .filter((l, i) => l !== "" || i === 0)
        .map((l) => head + l)
        .join("\n");
    }
    default: {
      const line = describe(ev, current);
      return line === undefined ? undefined : `${t} ${line}`;
    }
  }
}

/** The dim one-liner for membership and status events. */
export function describe(raw: ClientEvent, current?: string): string | undefined {
  const ev = safeEvent(raw);
  switch (ev.type) {
    case "message":
      return undefined;
    case "join":
      return `* ${ev.nick} joined ${ev.room}`;
    case "part":
      return `* ${ev.nick} left ${ev.room}${ev.text ? ` (${ev.text})` : ""}`;
    case "kick":
      // Said to the person it happened to, with the way back (which a ban may still refuse).
      if (ev.self)
        return `* you were kicked from ${ev.room} by ${ev.nick}${ev.text ? ` (${ev.text})` : ""}; /join ${ev.room} to go back`;
      return `* ${ev.target ?? "?"} was kicked from ${ev.room} by ${ev.nick}${ev.text ? ` (${ev.text})` : ""}`;
    case "quit": {
      // IRC wraps what the person wrote in "Quit: ", and says "Client quit" when they wrote nothing.
      const own = ev.text.startsWith("Quit: ") ? ev.text.slice(6) : ev.text;
      const why = own === "Client quit" ? "" : own;
      return `* ${ev.nick} quit${why ? ` (${why})` : ""}`;
    }
    case "nick":
      return `* ${ev.nick} is now ${ev.newNick}`;
    case "topic":
      if (ev.nick !== undefined && ev.nick !== "")
        return `* ${ev.nick} set the topic of ${ev.room}: ${ev.text}`;
      return ev.text === "" ? `* ${ev.room} has no topic` : `* topic of ${ev.room}: ${ev.text}`;
    case "names":
      return `* in ${ev.room}: ${ev.nicks.map((n) => `${ev.prefixes?.get(foldCase(n)) ?? ""}${n}${ev.owned?.has(foldCase(n)) === true ? "✓" : ""}`).join(" ")}`;
    case "info":
      return `${roomTag(ev.room, current)}* ${ev.text}`;
    case "error":
      return `! ${ev.text}`;
    case "status":
      return `* ${ev.text}`;
  }
}

export interface TerminalFormat {
  cols: number;
  colour: boolean;
  current: string | undefined;
  /** For dating history from earlier days; defaults to now. */
  today?: Date;
}

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** `11-24 18:02` for a line from another day, so old history is not mistaken for today's. */
function dayStamp(d: Date): string {
  return `${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")} ${hhmm(d)}`;
}

/**
 * A line (possibly several, wrapped) for the interactive screen. Message text
 * wraps under itself, measured with Bun.stringWidth so CJK and emoji align.
 */
export function formatTerminal(raw: ClientEvent, f: TerminalFormat): string[] {
  const ev = safeEvent(raw);
  const t = hhmm(ev.time);
  const c = f.colour;
  if (ev.type !== "message") {
    const line = describe(ev, f.current);
    if (line === undefined) return [];
    const body = wrap(`${t} ${line}`, f.cols, 6);
    const style = ev.type === "error" || (ev.type === "kick" && ev.self) ? RED : DIM;
    return c ? body.map((l) => `${style}${l}${RESET}`) : body;
  }
  const tag = roomTag(ev.room, f.current);
  const text = ev.text;
  let prefix: string;
  let prefixPlain: string;
  if (ev.kind === "action") {
    prefix = `* ${colourNick(ev.nick, c)} `;
    prefixPlain = `* ${ev.nick} `;
  } else if (ev.kind === "notice") {
    prefix = `-${colourNick(ev.nick, c)}- `;
    prefixPlain = `-${ev.nick}- `;
  } else if (ev.self) {
    // Own lines: the nick in reverse video, so a glance tells mine from theirs.
    prefix = c ? `${REVERSE}<${ev.nick}>${RESET} ` : `<${ev.nick}> `;
    prefixPlain = `<${ev.nick}> `;
  } else {
    prefix = `<${colourNick(ev.nick, c)}> `;
    prefixPlain = `<${ev.nick}> `;
  }
  const when = ev.history && !sameDay(ev.time, f.today ?? new Date()) ? dayStamp(ev.time) : t;
  // "~" marks replayed history; live lines get a space in its place so columns line up.
  const stamp = ev.history ? `${when}~` : `${when} `;
  const head = `${stamp} ${tag}`;
  const indent = Bun.stringWidth(head) + Bun.stringWidth(prefixPlain);
  // Each line of a multi-line message wraps under the first, as a long line does.
  const lines = text.split("\n").flatMap((l) => wrapBody(l, f.cols, indent));
  const styleText = (s: string): string => {
    if (!c) return s;
    if (ev.mention) return `${BOLD}${ESC}33m${s}${RESET}`;
    if (ev.history) return `${DIM}${s}${RESET}`;
    return s;
  };
  const headOut = c ? `${DIM}${head}${RESET}` : head;
  const out = [`${headOut}${prefix}${styleText(lines[0] ?? "")}`];
  for (const l of lines.slice(1)) out.push(`${" ".repeat(indent)}${styleText(l)}`);
  return out;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Break text into pieces no wider than `width` columns, preferring spaces. */
export function wrapText(text: string, width: number): string[] {
  if (width < 1) return [text];
  const out: string[] = [];
  let line = "";
  let lineWidth = 0;
  let lastSpace = -1; // index in `line` after the last space
  for (const { segment: g } of segmenter.segment(text)) {
    const w = Bun.stringWidth(g);
    if (lineWidth + w > width) {
      if (g === " ") {
        out.push(line);
        line = "";
        lineWidth = 0;
        lastSpace = -1;
        continue;
      }
      if (lastSpace > 0) {
        out.push(line.slice(0, lastSpace).trimEnd());
        line = line.slice(lastSpace);
      } else {
        out.push(line);
        line = "";
      }
      lineWidth = Bun.stringWidth(line);
      lastSpace = -1;
    }
    line += g;
    lineWidth += w;
    if (g === " ") lastSpace = line.length;
  }
  out.push(line);
  return out;
}

function wrapBody(text: string, cols: number, indent: number): string[] {
  // On a very narrow terminal a hanging indent wastes the line: let the terminal wrap.
  const width = cols - indent - 1;
  if (width < 16) return [text];
  return wrapText(text, width);
}

function wrap(line: string, cols: number, indent: number): string[] {
  const width = cols - 1;
  if (width < 16 || Bun.stringWidth(line) <= width) return [line];
  const [first = "", ...rest] = wrapText(line, width);
  if (rest.length === 0) return [first];
  return [first, ...wrapText(rest.join(" "), width - indent).map((l) => " ".repeat(indent) + l)];
}

export interface JsonEvent {
  time: string;
  type: string;
  room: string | null;
  nick: string | null;
  text: string | null;
  msgid: string | null;
  history?: boolean;
  /** The message mentions us. */
  mention?: boolean;
  owned?: boolean;
}

/** The --json record: always the same six keys (null when not applicable), plus history. */
export function formatJson(ev: ClientEvent): JsonEvent {
  const base = { time: ev.time.toISOString(), type: ev.type as string };
  const j: JsonEvent = { ...base, room: null, nick: null, text: null, msgid: null };
  switch (ev.type) {
    case "message":
      j.type = ev.found === true ? "search" : ev.kind === "privmsg" ? "message" : ev.kind;
      // Server notices belong to no room.
      j.room = ev.room === "" ? null : ev.room;
      j.nick = ev.nick;
      j.text = ev.text;
      j.msgid = ev.msgid ?? null;
      if (ev.history) j.history = true;
      if (ev.mention) j.mention = true;
      // The sender proved the nick is theirs (account-tag): the ✓ of the terminal's /whois.
      if (ev.owned === true) j.owned = true;
      break;
    case "join":
    case "part":
    case "kick":
      j.room = ev.room;
      j.nick = ev.nick;
      j.text = ev.type === "kick" ? `${ev.target ?? ""} ${ev.text}`.trim() : ev.text;
      break;
    case "quit":
      j.nick = ev.nick;
      j.text = ev.text;
      break;
    case "nick":
      j.nick = ev.nick;
      j.text = ev.newNick;
      break;
    case "topic":
      j.room = ev.room;
      j.nick = ev.nick ?? null;
      j.text = ev.text;
      break;
    case "names":
      j.room = ev.room;
      j.text = ev.nicks.join(" ");
      break;
    case "info":
      j.room = ev.room ?? null;
      j.text = ev.text;
      break;
    case "error":
    case "status":
      j.text = ev.text;
      break;
  }
  return j;
}
