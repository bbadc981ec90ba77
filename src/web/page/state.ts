/**
 * The page's model: conversations (rooms and DMs) with their lines, unread
 * counts and mention marks, typing people, and the history cursors. Pure: no
 * DOM, no socket; the view draws it and the session feeds it.
 */
import { fold, isChannel } from "./irc.ts";

export type LineKind = "message" | "action" | "notice" | "event" | "error";

export interface Line {
  readonly time: number;
  readonly kind: LineKind;
  readonly nick: string;
  readonly text: string;
  readonly msgid?: string;
  readonly mention: boolean;
}

export interface Conversation {
  readonly key: string;
  name: string;
  readonly kind: "room" | "dm" | "server";
  lines: Line[];
  unread: number;
  mentioned: boolean;
  topic: string;
  members: Set<string>;
  /** Nick -> when their typing notice runs out (ms since the epoch). */
  typing: Map<string, number>;
  joined: boolean;
  /** No more history before the oldest line. */
  historyDone: boolean;
  /** A CHATHISTORY BEFORE is on its way. */
  loadingOlder: boolean;
  /** draft/read-marker: read up to this time (ms since the epoch), 0 while unknown. */
  readUpTo: number;
}

/** How many lines a conversation keeps in the page. */
const MAX_LINES = 2000;

export class ChatState {
  readonly conversations = new Map<string, Conversation>();
  current = "*server";
  nick = "";
  /** Set while disconnected: the status line says so. */
  status = "connecting";

  constructor() {
    this.ensure("*server", "server");
  }

  ensure(name: string, kind?: "room" | "dm" | "server"): Conversation {
    const key = name === "*server" ? name : fold(name);
    let c = this.conversations.get(key);
    if (c === undefined) {
      c = {
        key,
        name,
        kind: kind ?? (isChannel(name) ? "room" : "dm"),
        lines: [],
        unread: 0,
        mentioned: false,
        topic: "",
        members: new Set(),
        typing: new Map(),
        joined: false,
        historyDone: false,
        loadingOlder: false,
        readUpTo: 0,
      };
      this.conversations.set(key, c);
    }
    return c;
  }

  get(name: string): Conversation | undefined {
    return this.conversations.get(name === "*server" ? name : fold(name));
  }

  /** Whether `text` names us as a word ("alice:", "@alice", "hi alice!"). */
  mentions(text: string): boolean {
    if (this.nick === "") return false;
    const esc = this.nick.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^\\w-])@?${esc}($|[^\\w-])`, "i").test(text);
  }

  /**
   * Add a line in time order; a line whose msgid is already there is dropped
   * (history and live copies meet on reconnect). Returns whether it was new.
   */
  add(c: Conversation, line: Line, live: boolean): boolean {
    if (line.msgid !== undefined && c.lines.some((l) => l.msgid === line.msgid)) return false;
    let i = c.lines.length;
    while (i > 0 && (c.lines[i - 1] as Line).time > line.time) i--;
    c.lines.splice(i, 0, line);
    if (c.lines.length > MAX_LINES) c.lines.splice(0, c.lines.length - MAX_LINES);
    // History past a known read marker is unread too: what came while we were away.
    const past = c.readUpTo > 0 && line.time > c.readUpTo;
    if ((live || past) && c.key !== this.current && this.counts(line)) {
      c.unread++;
      if (line.mention || c.kind === "dm") c.mentioned = true;
    }
    return true;
  }

  /** Whether a line counts as unread: someone else's words, not a join or a notice of ours. */
  private counts(line: Line): boolean {
    return line.kind !== "event" && line.kind !== "error" && fold(line.nick) !== fold(this.nick);
  }

  /**
   * The server's read marker for `c` (this device's or another's): unread is
   * recounted as the lines after it, so counts survive a reload and follow the
   * other devices of the same owned nick.
   */
  markRead(c: Conversation, time: number): void {
    c.readUpTo = Math.max(c.readUpTo, time);
    if (c.key === this.current) return;
    const after = c.lines.filter((l) => l.time > c.readUpTo && this.counts(l));
    c.unread = after.length;
    c.mentioned = after.some((l) => l.mention || c.kind === "dm");
  }

  /** The newest line worth a read marker, if it is past the marker we know. */
  unmarked(c: Conversation): number | undefined {
    for (let i = c.lines.length - 1; i >= 0; i--) {
      const l = c.lines[i] as Line;
      if (l.kind === "event") continue;
      return l.time > c.readUpTo ? l.time : undefined;
    }
    return undefined;
  }

  select(name: string): Conversation {
    const c = this.ensure(name);
    this.current = c.key;
    c.unread = 0;
    c.mentioned = false;
    return c;
  }

  /** Mentions and DMs not yet seen: the number in the title. */
  badge(): number {
    let n = 0;
    for (const c of this.conversations.values()) if (c.mentioned) n += Math.max(1, c.unread);
    return n;
  }

  oldestMsgid(c: Conversation): string | undefined {
    return c.lines.find((l) => l.msgid !== undefined)?.msgid;
  }

  newestMsgid(c: Conversation): string | undefined {
    for (let i = c.lines.length - 1; i >= 0; i--) {
      const id = (c.lines[i] as Line).msgid;
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /** Someone changed nick: follow them in member lists and their DM. */
  renamed(from: string, to: string): Conversation[] {
    const touched: Conversation[] = [];
    for (const c of this.conversations.values()) {
      const had = [...c.members].find((m) => fold(m) === fold(from));
      if (had !== undefined) {
        c.members.delete(had);
        c.members.add(to);
        touched.push(c);
      }
    }
    const dm = this.conversations.get(fold(from));
    if (dm !== undefined && dm.kind === "dm" && this.conversations.get(fold(to)) === undefined) {
      this.conversations.delete(dm.key);
      const moved = { ...dm, key: fold(to), name: to };
      this.conversations.set(moved.key, moved);
      if (this.current === dm.key) this.current = moved.key;
      touched.push(moved);
    }
    return touched;
  }

  typingNow(c: Conversation, now: number): string[] {
    for (const [n, until] of c.typing) if (until <= now) c.typing.delete(n);
    return [...c.typing.keys()];
  }
}
