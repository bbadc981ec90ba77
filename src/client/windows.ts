/**
 * Windows of the interactive client: one per room and per private
 * conversation, each with its own scrollback (events, rendered when shown),
 * unread count and mention mark, and the one that is active. Which window an
 * event belongs to is decided here (`route`). Pure: the UI draws what this
 * says, and asks for older history when `scrollUp` reaches the top.
 */
import { foldCase } from "../protocol/casemap.ts";
import type { ClientEvent } from "./events.ts";

/** Events kept per window; older ones are forgotten (the server still has them). */
export const SCROLLBACK = 2000;

export interface Window {
  /** Room or nick as first spelled. */
  name: string;
  kind: "room" | "query";
  events: ClientEvent[];
  /** Messages that arrived while another window was active. */
  unread: number;
  /** One of them mentions us (or it is a private conversation). */
  mention: boolean;
  /** Rendered lines scrolled back from the bottom; 0 follows live traffic. */
  scroll: number;
  /** The server said there is nothing older (a fetch came back empty). */
  exhausted: boolean;
  /** An older page was asked for and has not been shown yet. */
  fetching: boolean;
  /** A msgid to bring into view when it arrives (/jump). */
  jumpTo?: string;
  /** The last `before` asked for: asking the same again means nothing older came. */
  asked?: string;
  /**
   * The oldest message when the last older page was asked for: every line of
   * that page goes before it, even one stamped with the same millisecond.
   */
  pageFloor?: ClientEvent;
}

export interface Route {
  isChannel(name: string): boolean;
}

/** What to ask the server for when scrolling past the oldest line kept. */
export interface OlderRequest {
  target: string;
  /** `msgid=...` or `timestamp=...`, as CHATHISTORY BEFORE takes it. */
  before: string;
}

export class Windows {
  readonly list: Window[] = [];
  private activeIndex = -1;

  get active(): Window | undefined {
    return this.list[this.activeIndex];
  }

  find(name: string): Window | undefined {
    const key = foldCase(name);
    return this.list.find((w) => foldCase(w.name) === key);
  }

  indexOf(name: string): number {
    const key = foldCase(name);
    return this.list.findIndex((w) => foldCase(w.name) === key);
  }

  /** The window for a room or nick, made when missing (not made active). */
  open(name: string, kind: Window["kind"]): Window {
    const found = this.find(name);
    if (found !== undefined) return found;
    const w: Window = {
      name,
      kind,
      events: [],
      unread: 0,
      mention: false,
      scroll: 0,
      exhausted: false,
      fetching: false,
    };
    this.list.push(w);
    if (this.activeIndex === -1) this.activeIndex = this.list.length - 1;
    return w;
  }

  /** Close a window; the one before it (or the first) becomes active. */
  close(name: string): void {
    const i = this.indexOf(name);
    if (i === -1) return;
    this.list.splice(i, 1);
    if (this.list.length === 0) this.activeIndex = -1;
    else if (i < this.activeIndex || this.activeIndex >= this.list.length)
      this.activeIndex = Math.max(0, this.activeIndex - 1);
    else if (i === this.activeIndex) this.activeIndex = Math.max(0, i - 1);
    this.markRead();
  }

  /** Make window `i` (0-based) active; false when there is none. */
  select(i: number): boolean {
    if (i < 0 || i >= this.list.length) return false;
    this.activeIndex = i;
    this.markRead();
    return true;
  }

  selectName(name: string): boolean {
    return this.select(this.indexOf(name));
  }

  /** Next (+1) or previous (-1) window, wrapping around. */
  step(by: 1 | -1): boolean {
    const n = this.list.length;
    if (n === 0) return false;
    return this.select((((this.activeIndex + by) % n) + n) % n);
  }

  private markRead(): void {
    const w = this.active;
    if (w === undefined) return;
    w.unread = 0;
    w.mention = false;
  }

  /**
   * The windows an event is filed in: a room's own, a private conversation's
   * (opened on the first line), a quit or nick change in every window where
   * that person was; anything else (server notices, replies, errors) in the
   * active window.
   */
  route(ev: ClientEvent, r: Route): Window[] {
    const here = this.active === undefined ? [] : [this.active];
    switch (ev.type) {
      case "message":
        if (ev.room === "") return here;
        return [this.open(ev.room, r.isChannel(ev.room) ? "room" : "query")];
      case "join":
      case "part":
      case "kick":
      case "topic":
      case "names":
        return [this.open(ev.room, "room")];
      case "quit":
      case "nick": {
        const out = ev.rooms.map((room) => this.find(room)).filter((w) => w !== undefined);
        const q = this.find(ev.nick);
        if (q !== undefined && q.kind === "query") out.push(q);
        return out.length > 0 ? out : here;
      }
      case "info": {
        const w = ev.room === undefined ? undefined : this.find(ev.room);
        return w !== undefined ? [w] : here;
      }
      case "error":
      case "status":
        return here;
    }
  }

  /**
   * File an event. Older history (a page fetched by scrolling up) goes in
   * time order before what is there; live lines at the end. A message in a
   * window other than the active one counts as unread.
   */
  add(w: Window, ev: ClientEvent, readUpTo?: number): void {
    const last = w.events[w.events.length - 1];
    const floor = w.pageFloor === undefined ? -1 : w.events.indexOf(w.pageFloor);
    const floorTime = w.pageFloor?.time;
    // A search result row is listed where it was asked for, at the end, whatever its time.
    const older = ev.type === "message" && ev.history && ev.resultNumber === undefined;
    if (older && floor !== -1 && floorTime !== undefined && ev.time <= floorTime) {
      let i = floor;
      while (i > 0 && (w.events[i - 1] as ClientEvent).time > ev.time) i--;
      w.events.splice(i, 0, ev);
    } else if (older && last !== undefined && ev.time < last.time) {
      let i = w.events.length;
      while (i > 0 && (w.events[i - 1] as ClientEvent).time > ev.time) i--;
      w.events.splice(i, 0, ev);
    } else {
      w.events.push(ev);
    }
    if (w.events.length > SCROLLBACK) w.events.splice(0, w.events.length - SCROLLBACK);
    if (w === this.active) return;
    // History newer than the synced read marker (draft/read-marker) was not read
    // on any device: it counts as new, as live lines do.
    if (ev.type !== "message" || ev.self) return;
    if (!ev.history || (readUpTo !== undefined && ev.time.getTime() > readUpTo)) {
      w.unread++;
      if (ev.mention || w.kind === "query") w.mention = true;
    }
  }

  /** The time (ms) of the newest message in the window: what reading it up to now means. */
  newest(w: Window): number | undefined {
    for (let i = w.events.length - 1; i >= 0; i--) {
      const e = w.events[i] as ClientEvent;
      if (e.type === "message") return e.time.getTime();
    }
    return undefined;
  }

  /** Where to fetch older history from, or undefined when it is all here. */
  older(w: Window): OlderRequest | undefined {
    if (w.exhausted || w.fetching) return undefined;
    const first = w.events.find((e) => e.type === "message");
    let before: string;
    if (first !== undefined && first.type === "message" && first.msgid !== undefined)
      before = `msgid=${first.msgid}`;
    else before = `timestamp=${(first?.time ?? w.events[0]?.time ?? new Date()).toISOString()}`;
    if (before === w.asked) {
      // The page asked for last time brought nothing older: this is the start.
      w.exhausted = true;
      return undefined;
    }
    w.asked = before;
    w.fetching = true;
    w.pageFloor = first;
    return { target: w.name, before };
  }

  /**
   * The status line: every window by number, the active one in brackets,
   * unread counts in parentheses and `!` for a mention or a private line.
   */
  statusText(): string {
    return this.list
      .map((w, i) => {
        const n = `${i + 1}:${w.name}`;
        const badge = w.unread > 0 ? `(${w.unread}${w.mention ? "!" : ""})` : "";
        return i === this.activeIndex ? `[${n}]` : `${n}${badge}`;
      })
      .join(" ");
  }
}

/** Where the lines not yet read start (draft/read-marker), and the row that says so. */
export interface NewDivider {
  /** The read marker: messages after this time (ms) are new. */
  after: number;
  line: string;
}

/**
 * The rows a window shows in `height` rows at its scroll position (clamped),
 * and whether they reach its oldest kept line (time to fetch older history).
 * With `divider`, a row marks where the unread lines begin.
 */
export function visible(
  w: Window,
  height: number,
  render: (ev: ClientEvent) => string[],
  divider?: NewDivider,
): { lines: string[]; atTop: boolean } {
  const h = Math.max(1, height);
  const all: string[] = [];
  let jumpLine: number | undefined;
  let divided = divider === undefined;
  for (const ev of w.events) {
    if (
      !divided &&
      ev.type === "message" &&
      !ev.self &&
      ev.time.getTime() > (divider as NewDivider).after
    ) {
      all.push((divider as NewDivider).line);
      divided = true;
    }
    if (ev.type === "message" && ev.msgid !== undefined && ev.msgid === w.jumpTo)
      jumpLine = all.length;
    all.push(...render(ev));
  }
  if (jumpLine !== undefined) {
    // A /jump target: in the middle of the view, as far as there are lines below it.
    w.scroll = all.length - Math.min(all.length, jumpLine + Math.ceil(h / 2));
  }
  w.scroll = Math.max(0, Math.min(w.scroll, all.length - h));
  const end = all.length - w.scroll;
  const start = Math.max(0, end - h);
  return { lines: all.slice(start, end), atTop: start === 0 };
}
