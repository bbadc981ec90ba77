/**
 * Text rules shared by the server and the client: what a nick may be, how a
 * bare room name becomes a channel, how input is made safe to relay, how text
 * from the network is made safe to show in a terminal, and how long text is cut
 * to fit IRC's 512-byte lines. Pure.
 */

/** The nick grammar (RFC 2812 plus `_`), without a length; `isValidNick` adds it. */
export const NICK_PATTERN = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

/** The longest nick this server accepts and `chat join` sends (ISUPPORT NICKLEN). */
export const DEFAULT_NICK_LEN = 30;

export function isValidNick(nick: string, maxLen: number = DEFAULT_NICK_LEN): boolean {
  return nick.length > 0 && nick.length <= maxLen && NICK_PATTERN.test(nick);
}

/** `dev` -> `#dev`; a name that already starts with a channel type (`#`, `&`) is kept. */
export function toChannel(name: string, chantypes = "#&"): string {
  return chantypes.includes(name.charAt(0)) && name !== "" ? name : `#${name}`;
}

/** `nick!user@host` -> `nick` (a server name or a bare nick is returned as it is). */
export function nickOf(source: string): string {
  const bang = source.indexOf("!");
  return bang === -1 ? source : source.slice(0, bang);
}

/** C0 controls other than IRC formatting (bold, colour, CTCP, ...), DEL and C1 controls. */
const RELAY_UNSAFE = /[\x00\x04-\x08\x0a-\x0e\x10\x12-\x15\x17-\x1c\x7f-\x9f]/;
const RELAY_UNSAFE_ALL = new RegExp(RELAY_UNSAFE.source, "g");

/**
 * Input hygiene: NUL, bare CR and control bytes are removed so they are never
 * relayed raw; IRC formatting (bold, colours, CTCP's \x01) stays, it is meant.
 */
export function sanitizeLine(line: string): string {
  return RELAY_UNSAFE.test(line) ? line.replace(RELAY_UNSAFE_ALL, "") : line;
}

/**
 * Whole terminal control sequences, so their parameter text goes with them
 * (`ESC [2J` must not leave `[2J` behind): CSI (7-bit and C1), OSC, DCS, SOS,
 * PM and APC strings up to their terminator (or the end of the text when a
 * hostile sender leaves one open), and two-byte ESC sequences.
 */
const TERMINAL_SEQUENCE =
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?/g;

/**
 * IRC colour codes with their digits, other C0/C1 controls (ESC, so no CSI,
 * OSC or DCS sequence can start), DEL, bidirectional controls (which make a
 * line read differently from what was sent) and the Unicode line and paragraph
 * separators some terminals treat as new lines.
 */
const TERMINAL_UNSAFE =
  /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the network made safe for a terminal: control sequences with
 * their parameters, formatting and control characters removed, tabs and new
 * lines shown as spaces.
 */
export function clean(text: string): string {
  return text
    .replace(TERMINAL_SEQUENCE, "")
    .replace(TERMINAL_UNSAFE, "")
    .replace(/[\t\n]/g, " ");
}

/** What JSON.stringify leaves raw but a terminal acts on: DEL, C1, bidi and line separators. */
const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a line of output: like JSON.stringify, and the characters it would
 * leave raw that a terminal reading the output acts on escaped as `\\uXXXX`
 * (they occur only inside strings, so the result is the same JSON value).
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

/**
 * A copy of `text` that shares no storage with the string it was sliced from. JSC keeps the
 * whole parent alive for a slice (a parsed parameter pins its line), so a value kept for the
 * life of a connection (nick, real name) is copied once: per idle session that is two fewer
 * strings held (bench/idle-heap.ts). The JSON round trip is the copy that reliably flattens.
 */
export function ownString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Cut a string to at most `max` UTF-8 bytes without splitting a character. */
export function clipBytes(text: string, max: number): string {
  if (text.length * 3 <= max) return text;
  const bytes = encoder.encode(text);
  if (bytes.length <= max) return text;
  let end = Math.max(0, max);
  // Step back over UTF-8 continuation bytes.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Split into pieces of at most `maxBytes` UTF-8 bytes, never inside a
 * character (nor a grapheme such as an emoji with a modifier). A piece ends at
 * its last space when that space is in its second half (the space is dropped),
 * else between graphemes, so nothing else is lost.
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (byteLength(text) <= maxBytes) return [text];
  const segs = Array.from(segmenter.segment(text), (s) => s.segment);
  const sizes = segs.map((g) => encoder.encode(g).length);
  const pieces: string[] = [];
  let start = 0;
  while (start < segs.length) {
    let end = start;
    let size = 0;
    while (end < segs.length && size + (sizes[end] as number) <= maxBytes)
      size += sizes[end++] as number;
    if (end === segs.length) {
      pieces.push(segs.slice(start, end).join(""));
      break;
    }
    // A single grapheme wider than the budget goes alone: it cannot be cut.
    if (end === start) end = start + 1;
    let space = end;
    while (space > start && segs[space] !== " ") space--;
    if (space > start && space - start > (end - start) / 2) {
      pieces.push(segs.slice(start, space).join(""));
      start = space + 1;
    } else {
      pieces.push(segs.slice(start, end).join(""));
      start = end;
    }
  }
  return pieces;
}
