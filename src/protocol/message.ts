/**
 * IRC message codec: a tolerant parser and a strict serializer.
 *
 * Wire form: ['@' tags SPACE] [':' source SPACE] command {SPACE param} [SPACE ':' trailing]
 * The parser accepts what real clients send (extra spaces, missing trailing colon,
 * lowercase commands); the serializer refuses anything that could inject a second
 * line or change the meaning of a parameter.
 */

export type Tags = Map<string, string>;

export interface IrcMessage {
  tags: Tags;
  /** `nick!user@host` or a server name, without the leading ':'. */
  source?: string;
  /** Upper-cased verb or three-digit numeric. */
  command: string;
  params: string[];
}

export class IrcParseError extends Error {
  override name = "IrcParseError";
}

export class IrcSerializeError extends Error {
  override name = "IrcSerializeError";
}

const TAG_UNESCAPE: Record<string, string> = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };

export function unescapeTagValue(raw: string): string {
  if (!raw.includes("\\")) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = raw[i + 1];
    i++;
    // A trailing lone backslash is dropped; an unknown escape keeps the character.
    if (next === undefined) break;
    out += TAG_UNESCAPE[next] ?? next;
  }
  return out;
}

export function escapeTagValue(value: string): string {
  let out = "";
  for (const c of value) {
    switch (c) {
      case ";":
        out += "\\:";
        break;
      case " ":
        out += "\\s";
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\n":
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

function parseTags(raw: string): Tags {
  const tags: Tags = new Map();
  for (const part of raw.split(";")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? "" : unescapeTagValue(part.slice(eq + 1));
    if (key === "") continue;
    // Later duplicates win, as the message-tags spec says.
    tags.set(key, value);
  }
  return tags;
}

/** Parse one line (without its CR LF). Throws IrcParseError on a line with no command. */
export function parse(line: string): IrcMessage {
  let pos = 0;
  const len = line.length;
  const skipSpaces = (): void => {
    while (pos < len && line.charCodeAt(pos) === 32) pos++;
  };
  const word = (): string => {
    const end = line.indexOf(" ", pos);
    const stop = end === -1 ? len : end;
    const w = line.slice(pos, stop);
    pos = stop;
    return w;
  };

  let tags: Tags = new Map();
  let source: string | undefined;
  skipSpaces();
  if (line.charCodeAt(pos) === 64 /* @ */) {
    pos++;
    tags = parseTags(word());
    skipSpaces();
  }
  if (line.charCodeAt(pos) === 58 /* : */) {
    pos++;
    source = word();
    skipSpaces();
  }
  const command = word().toUpperCase();
  if (command === "") throw new IrcParseError("line has no command");

  const params: string[] = [];
  for (;;) {
    skipSpaces();
    if (pos >= len) break;
    if (line.charCodeAt(pos) === 58 /* : */) {
      params.push(line.slice(pos + 1));
      break;
    }
    params.push(word());
  }
  const msg: IrcMessage = { tags, command, params };
  if (source !== undefined && source !== "") msg.source = source;
  return msg;
}

const FORBIDDEN = /[\0\r\n]/;

function paramRequiresTrailing(param: string): boolean {
  return param.length === 0 || param.includes(" ") || param.charCodeAt(0) === 58;
}

export function serializeTags(tags: Tags): string {
  let out = "";
  for (const [key, value] of tags) {
    if (key === "" || /[\s;=\0]/.test(key)) {
      throw new IrcSerializeError(`invalid tag key ${JSON.stringify(key)}`);
    }
    if (out !== "") out += ";";
    out += value === "" ? key : `${key}=${escapeTagValue(value)}`;
  }
  return out;
}

/**
 * Serialize without the trailing CR LF. Throws IrcSerializeError when a middle
 * parameter would need a colon or a space, or when any part contains NUL, CR or LF.
 */
export function serialize(msg: IrcMessage): string {
  if (msg.command === "" || /[\s:]/.test(msg.command.charAt(0)) || /\s/.test(msg.command)) {
    throw new IrcSerializeError(`invalid command ${JSON.stringify(msg.command)}`);
  }
  let out = "";
  if (msg.tags.size > 0) out += `@${serializeTags(msg.tags)} `;
  if (msg.source !== undefined) {
    if (msg.source === "" || msg.source.includes(" ")) {
      throw new IrcSerializeError(`invalid source ${JSON.stringify(msg.source)}`);
    }
    out += `:${msg.source} `;
  }
  out += msg.command;
  const last = msg.params.length - 1;
  for (let i = 0; i <= last; i++) {
    const p = msg.params[i] as string;
    if (paramRequiresTrailing(p)) {
      if (i !== last) {
        throw new IrcSerializeError(`middle parameter ${i} needs a trailing colon`);
      }
      out += ` :${p}`;
    } else {
      out += ` ${p}`;
    }
  }
  if (FORBIDDEN.test(out)) throw new IrcSerializeError("message contains NUL, CR or LF");
  return out;
}

/** Convenience constructor: `msg("PRIVMSG", ["#room", "hi"], { source })`. */
export function message(
  command: string,
  params: string[] = [],
  opts: { source?: string; tags?: Tags } = {},
): IrcMessage {
  const m: IrcMessage = { tags: opts.tags ?? new Map(), command, params };
  if (opts.source !== undefined) m.source = opts.source;
  return m;
}
