/**
 * The windows on the screen: drawing the active one's view (switching,
 * scrolling, resizing), the window keys, fetching older history when
 * scrolling past the top, the status line, and telling the server what has
 * been read (draft/read-marker). Interactive feeds it events and keys.
 */
import { foldCase } from "../../protocol/casemap.ts";
import { message } from "../../protocol/message.ts";
import type { ClientConnection } from "../connection.ts";
import type { ClientEvent } from "../events.ts";
import { visible, type Window, type Windows } from "../windows.ts";
import { formatTerminal } from "./format.ts";
import type { Key } from "./keys.ts";
import type { Screen } from "./screen.ts";
import { statusLine } from "./status-line.ts";

/** Older lines asked for per page when scrolling past the top. */
const OLDER_PAGE = 50;
/** A page asked for that never comes back stops blocking the next ask after this. */
const FETCH_WAIT_MS = 3000;
/** The row above the first line not yet read (on any device: draft/read-marker). */
const NEW_LINES = "-- new since you last read --";
const DIVIDER_STYLE = "\x1b[33m";
/** Read markers are sent this long after the last line shown, not once per line. */
const MARK_READ_DELAY_MS = 1000;

/** What the view needs of the terminal. */
export interface ViewTerminal {
  rows(): number;
  colour: boolean;
}

export interface WindowViewContext {
  conn(): ClientConnection | undefined;
  info(text: string): void;
  updatePrompt(): void;
}

export class WindowView {
  constructor(
    private readonly windows: Windows,
    private readonly screen: Screen,
    private readonly tty: ViewTerminal,
    private readonly ctx: WindowViewContext,
  ) {}

  render(ev: ClientEvent): string[] {
    // Whatever is drawn is drawn in the active window: that is the one being read.
    this.shown = this.windows.active;
    const current = this.windows.active?.name ?? this.ctx.conn()?.state.current;
    if (ev.type !== "message" || ev.resultNumber === undefined)
      return formatTerminal(ev, { cols: this.screen.cols, colour: this.tty.colour, current });
    const n = ev.resultNumber;
    // A search result or mention: numbered for /jump, drawn as the line it lists.
    const opts = { cols: this.screen.cols, colour: this.tty.colour, current: undefined };
    return formatTerminal(ev, opts).map((l, i) =>
      i === 0 ? `${String(n).padStart(3)}) ${l}` : `     ${l}`,
    );
  }

  /** Rows for a window's lines: the screen less the status line and the prompt. */
  get viewHeight(): number {
    return Math.max(1, this.tty.rows() - 2);
  }

  /** Draw the active window's view afresh (switching, scrolling, resizing). */
  repaint(): { atTop: boolean } {
    const w = this.windows.active;
    if (w === undefined) {
      this.screen.redraw();
      return { atTop: false };
    }
    const marker = this.ctx.conn()?.state.readMarkers.get(foldCase(w.name));
    const divider =
      marker === undefined
        ? undefined
        : {
            after: marker,
            line: this.tty.colour ? `${DIVIDER_STYLE}${NEW_LINES}\x1b[0m` : NEW_LINES,
          };
    const view = visible(w, this.viewHeight, (ev) => this.render(ev), divider);
    this.updateStatus(false);
    this.screen.repaint(view.lines);
    return view;
  }

  private topRepaint: ReturnType<typeof setTimeout> | undefined;
  /** The window last drawn: the one the user was reading. */
  private shown: Window | undefined;

  scheduleTopRepaint(w: Window): void {
    if (this.topRepaint !== undefined) return;
    this.topRepaint = setTimeout(() => {
      this.topRepaint = undefined;
      w.fetching = false;
      if (this.windows.active !== w) return;
      if (w.jumpTo === undefined) w.scroll = Number.MAX_SAFE_INTEGER;
      this.repaint();
      // The lines around a /jump target are here: from now on the view scrolls freely.
      w.jumpTo = undefined;
    }, 50);
  }

  private markTimer: ReturnType<typeof setTimeout> | undefined;

  /** Tell the server (draft/read-marker) what is read, at most once a second. */
  scheduleMarkRead(): void {
    if (this.markTimer !== undefined) return;
    this.markTimer = setTimeout(() => {
      this.markTimer = undefined;
      this.markRead();
    }, MARK_READ_DELAY_MS);
  }

  /** The active window, shown to its bottom, is read up to its newest line. */
  markRead(w: Window | undefined = this.windows.active): void {
    const conn = this.ctx.conn();
    if (conn === undefined || w === undefined || w.scroll > 0) return;
    // A room left before anyone spoke in it is read up to our join: what comes later is new.
    const newest = this.windows.newest(w) ?? w.events[w.events.length - 1]?.time.getTime();
    const key = foldCase(w.name);
    if (newest === undefined || newest <= (conn.state.readMarkers.get(key) ?? 0)) return;
    // Kept here for the divider; told to the server where it keeps them for other devices.
    conn.state.readMarkers.set(key, newest);
    if (!conn.state.caps.has("draft/read-marker")) return;
    conn.send(message("MARKREAD", [w.name, `timestamp=${new Date(newest).toISOString()}`]));
  }

  /** The active window changed: typed lines go there, and its view is drawn. */
  afterSwitch(): void {
    // The window being left was read up to where it was shown.
    // A closed window (a room left) is no read position to report: the server would refuse it.
    const left = this.shown;
    if (left !== undefined && left !== this.windows.active && this.windows.list.includes(left))
      this.markRead(left);
    const w = this.windows.active;
    this.shown = w;
    const st = this.ctx.conn()?.state;
    if (w !== undefined && st !== undefined) st.current = w.name;
    this.ctx.updatePrompt();
    this.repaint();
  }

  /** Back to the newest line: scrolled back, a typed line and its reply would land out of sight. */
  toBottom(): void {
    const w = this.windows.active;
    if (w === undefined || w.scroll === 0) return;
    // An older page already here must not pull the view back to its top.
    clearTimeout(this.topRepaint);
    this.topRepaint = undefined;
    w.fetching = false;
    w.scroll = 0;
    w.jumpTo = undefined;
    this.repaint();
  }

  /** The window keys: Alt-1..9, Alt-arrows, Ctrl-N/P, PageUp/PageDown. True when taken. */
  windowKey(key: Key): boolean {
    const w = this.windows;
    switch (key.name) {
      case "alt-digit":
        if (w.select(key.digit - 1)) this.afterSwitch();
        return true;
      case "window-next":
      case "window-prev":
        if (w.step(key.name === "window-next" ? 1 : -1)) this.afterSwitch();
        return true;
      case "page-up":
      case "page-down": {
        const active = w.active;
        if (active === undefined) return true;
        active.jumpTo = undefined;
        const page = Math.max(1, this.viewHeight - 1);
        active.scroll = Math.max(0, active.scroll + (key.name === "page-up" ? page : -page));
        const view = this.repaint();
        if (key.name === "page-up" && view.atTop) this.fetchOlder(active);
        return true;
      }
      default:
        return false;
    }
  }

  /** Scrolled past the oldest line kept: ask the server for the page before it. */
  fetchOlder(w: Window): void {
    const conn = this.ctx.conn();
    if (conn === undefined || w.kind !== "room" || !conn.state.hasChathistory()) return;
    const req = this.windows.older(w);
    if (req === undefined) {
      if (w.exhausted) this.ctx.info(`this is the start of ${w.name}'s history`);
      return;
    }
    conn.send(message("CHATHISTORY", ["BEFORE", req.target, req.before, String(OLDER_PAGE)]));
    setTimeout(() => {
      w.fetching = false;
    }, FETCH_WAIT_MS);
  }

  updateStatus(draw = true): void {
    const w = this.windows.active;
    const more = w !== undefined && w.scroll > 0 ? " -- more below (PageDown) --" : "";
    const line =
      this.windows.list.length === 0
        ? ""
        : statusLine(this.windows, more, this.screen.cols, this.tty.colour);
    if (draw) this.screen.setStatus(line);
    else this.screen.setStatusQuiet(line);
  }
}
