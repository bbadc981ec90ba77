/**
 * The page's IRC codec: one line in, one message out, and back. Pure, so the
 * server's tests can run it without a browser. Tags are unescaped per IRCv3.
 */

export interface IrcMessage {
  readonly tags: ReadonlyMap<string, string>;
  /** The nick (or server name) of the source, "" when there is none. */
  readonly nick: string;
  readonly command: string;
  readonly params: readonly string[];
}

const UNESCAPE: Record<string, string> = { ":": ";", s: " ", r: "\r", n: "\n", "\\": "\\" };

function unescapeTag(v: string): string {
  return v.replace(/\\(.?)/g, (_m, c: string) => (c === "" ? "" : (UNESCAPE[c] ?? c)));
}

function escapeTag(v: string): string {
  return v.replace(/[\\; \r\n]/g, (c) =>
    c === "\\" ? "\\\\" : c === ";" ? "\\:" : c === " " ? "\\s" : c === "\r" ? "\\r" : "\\n",
  );
}

export function parse(line: string): IrcMessage {
  let rest = line;
  const tags = new Map<string, string>();
  if (rest.startsWith("@")) {
    const sp = rest.indexOf(" ");
    for (const part of rest.slice(1, sp === -1 ? undefined : sp).split(";")) {
      const eq = part.indexOf("=");
      if (part === "") continue;
      tags.set(
        eq === -1 ? part : part.slice(0, eq),
        eq === -1 ? "" : unescapeTag(part.slice(eq + 1)),
      );
    }
    rest = sp === -1 ? "" : rest.slice(sp + 1).trimStart();
  }
  let nick = "";
  if (rest.startsWith(":")) {
    const sp = rest.indexOf(" ");
    const source = rest.slice(1, sp === -1 ? undefined : sp);
    nick = source.split("!")[0] ?? "";
    rest = sp === -1 ? "" : rest.slice(sp + 1).trimStart();
  }
  const params: string[] = [];
  let command = "";
  while (rest !== "") {
    if (rest.startsWith(":") && command !== "") {
      params.push(rest.slice(1));
      break;
    }
    const sp = rest.indexOf(" ");
    const word = sp === -1 ? rest : rest.slice(0, sp);
    if (command === "") command = word.toUpperCase();
    else params.push(word);
    rest = sp === -1 ? "" : rest.slice(sp + 1).trimStart();
  }
  return { tags, nick, command, params };
}

/** A line to send; the last parameter gets a colon when it needs one. CR/LF are dropped. */
export function format(
  command: string,
  params: readonly string[],
  tags?: ReadonlyMap<string, string>,
): string {
  const clean = params.map((p) => p.replace(/[\r\n\0]/g, " "));
  const last = clean.length - 1;
  const words = clean.map((p, i) =>
    i === last && (p === "" || p.includes(" ") || p.startsWith(":")) ? `:${p}` : p,
  );
  let prefix = "";
  if (tags !== undefined && tags.size > 0) {
    prefix = `@${[...tags].map(([k, v]) => (v === "" ? k : `${k}=${escapeTag(v)}`)).join(";")} `;
  }
  return `${prefix}${[command, ...words].join(" ")}`;
}

/** rfc1459 casefolding, as the server's CASEMAPPING says. */
export function fold(name: string): string {
  return name
    .toLowerCase()
    .replace(/[[\]\\~]/g, (c) => ({ "[": "{", "]": "}", "\\": "|", "~": "^" })[c] ?? c);
}

export function isChannel(name: string): boolean {
  return name.startsWith("#");
}

/** The text of a CTCP ACTION (/me), or undefined for an ordinary message. */
export function actionText(text: string): string | undefined {
  const m = /^\x01ACTION ?(.*?)\x01?$/.exec(text);
  return m === null ? undefined : (m[1] ?? "");
}

/**
 * Bytes left for text in `:nick!user@host PRIVMSG target :text\r\n`; our host
 * is unknown, so assume the longest common user@host (63), as `chat join` does.
 */
export function textBudget(nick: string, target: string): number {
  return Math.max(64, 512 - (1 + nick.length + 1 + 63 + 1 + 7 + 1 + target.length + 2 + 2));
}

const utf8 = new TextEncoder();

/** Cut text into pieces of at most `budget` UTF-8 bytes, at a space when there is one. */
export function splitText(text: string, budget: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (utf8.encode(rest).length > budget) {
    let cut = 0;
    let bytes = 0;
    for (const ch of rest) {
      const n = utf8.encode(ch).length;
      if (bytes + n > budget) break;
      bytes += n;
      cut += ch.length;
    }
    const space = rest.lastIndexOf(" ", cut);
    const at = space > cut / 2 ? space : cut;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^ /, "");
  }
  if (rest !== "" || out.length === 0) out.push(rest);
  return out;
}
