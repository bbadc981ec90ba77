/**
 * Interactive mode: the terminal UI wired to a connection. Keys go through the
 * line editor; submitted lines through input.ts; events through format.ts to
 * the screen.
 */
import { foldCase } from "../protocol/casemap.ts";
import { message } from "../protocol/message.ts";
import type { ClientConnection } from "./connection.ts";
import type { ClientEvent, MessageEvent } from "./events.ts";
import { IgnoreList } from "./ignore.ts";
import { commandNames, parseInput } from "./input.ts";
import { canSendMultiline } from "./multiline.ts";
import { notification } from "./notify.ts";
import { recentMentions, searchRequest } from "./search.ts";
import { complete, LineEditor } from "./ui/editor.ts";
import { KeyDecoder } from "./ui/keys.ts";
import { clean } from "./ui/safe.ts";
import { Screen } from "./ui/screen.ts";
import { WindowView } from "./ui/window-view.ts";
import { Windows } from "./windows.ts";

/** A paste of more lines than this, without draft/multiline, asks before sending each. */
const PASTE_ASK_ABOVE = 3;

export interface InteractiveOptions {
  /** Bell and desktop notification for mentions and private lines (off with --no-notify). */
  notify?: boolean;
  ignore?: IgnoreList;
}

export interface Tty {
  cols(): number;
  rows(): number;
  write(s: string): void;
  /** Start delivering raw key bytes; returns a function that stops and restores the terminal. */
  start(onBytes: (b: Uint8Array) => void, onResize: () => void): () => void;
  colour: boolean;
}

export class Interactive {
  readonly editor = new LineEditor();
  readonly screen: Screen;
  readonly windows = new Windows();
  private readonly view: WindowView;
  private readonly keys = new KeyDecoder();
  private stop: (() => void) | undefined;
  private done: ((code: number) => void) | undefined;
  private conn: ClientConnection | undefined;
  private quitting = false;
  private readonly finished: Promise<number>;
  /** A pending yes/no question: the next submitted line answers it. */
  private answer: ((yes: boolean) => void) | undefined;

  /** The last /search results, for /jump N. */
  private results: MessageEvent[] = [];
  private readonly notify: boolean;
  private readonly ignored: IgnoreList;

  constructor(
    private readonly tty: Tty,
    opts: InteractiveOptions = {},
  ) {
    this.notify = opts.notify !== false;
    this.ignored = opts.ignore ?? new IgnoreList(undefined);
    this.screen = new Screen((s) => tty.write(s), this.editor, tty.cols());
    this.view = new WindowView(this.windows, this.screen, tty, {
      conn: () => this.conn,
      info: (text) => this.info(text),
      updatePrompt: () => this.updatePrompt(),
    });
    this.finished = new Promise((resolve) => {
      this.done = resolve;
    });
  }

  /** Take over the terminal (raw mode, bracketed paste). */
  open(): void {
    this.tty.write("\x1b[?2004h");
    this.stop = this.tty.start(
      (b) => this.onBytes(b),
      () => {
        this.screen.cols = this.tty.cols();
        this.view.repaint();
      },
    );
    this.updatePrompt();
  }

  /** Give the terminal back exactly as we found it. */
  close(): void {
    this.screen.finish();
    this.tty.write("\x1b[?2004l");
    this.stop?.();
    this.stop = undefined;
  }

  attach(conn: ClientConnection): void {
    this.conn = conn;
  }

  /** Resolves with the exit status when the user leaves. */
  run(): Promise<number> {
    return this.finished;
  }

  /** Ask a yes/no question on the screen (TLS trust on first use). */
  ask(question: string): Promise<boolean> {
    this.screen.print([...question.split("\n"), "Type yes or no and press Enter."]);
    return new Promise((resolve) => {
      this.answer = resolve;
    });
  }

  end(code: number): void {
    const d = this.done;
    this.done = undefined;
    d?.(code);
  }

  show(ev: ClientEvent): void {
    const st = this.conn?.state;
    if (ev.type === "message" && ev.found === true) {
      this.showFound(ev);
      return;
    }
    // An ignored nick's lines are not shown, nor counted, nor rung for.
    if (ev.type === "message" && !ev.self && this.ignored.has(ev.nick)) return;
    const targets = this.windows.route(ev, {
      isChannel: (n) => st?.isChannel(n) ?? n.startsWith("#"),
    });
    const before = this.windows.active;
    for (const w of targets) this.windows.add(w, ev, st?.readMarkers.get(foldCase(w.name)));
    // A mention, or someone writing to us privately, deserves a bell; history does not.
    const direct =
      ev.type === "message" &&
      !ev.self &&
      ev.kind !== "notice" &&
      ev.room !== "" &&
      st?.isChannel(ev.room) === false;
    const bell = this.notify && ev.type === "message" && !ev.history && (ev.mention || direct);
    if (bell && ev.type === "message")
      this.tty.write(notification(direct ? ev.nick : `${ev.nick} in ${ev.room}`, ev.text));
    if (ev.type === "part" && ev.self) this.windows.close(ev.room);
    // The handlers pick the room a /join switches to; the window follows.
    if (
      st?.current !== undefined &&
      foldCase(st.current) !== foldCase(this.windows.active?.name ?? "")
    )
      this.windows.selectName(st.current);
    const active = this.windows.active;
    if (active !== before && before !== undefined) {
      this.view.afterSwitch();
    } else if (active !== undefined && before === undefined && st?.current === undefined) {
      // The first window after none (every room left): typed lines go there now.
      this.view.afterSwitch();
    } else if (active?.fetching && targets.includes(active)) {
      // An older page is arriving: show it from its top once it is all here.
      this.view.scheduleTopRepaint(active);
    } else if (active === undefined || targets.length === 0 || targets.includes(active)) {
      if (active === undefined || active.scroll === 0)
        this.screen.print(this.view.render(ev), bell);
      else if (bell) this.screen.bell();
    } else if (bell) {
      this.screen.bell();
    }
    if (
      ev.type === "message" &&
      this.windows.active !== undefined &&
      targets.includes(this.windows.active)
    )
      this.view.scheduleMarkRead();
    this.view.updateStatus();
    if (ev.type === "join" || ev.type === "part" || ev.type === "kick" || ev.type === "status")
      this.updatePrompt();
    if (ev.type === "nick" && ev.self) this.updatePrompt();
  }

  /** One /search result, numbered for /jump. */
  private showFound(ev: MessageEvent): void {
    this.results.push(ev);
    // Filed as a row of the window it was asked from, so a repaint keeps it; without
    // its msgid, and not a mention, it never passes for the line itself (/jump, paging).
    const row: MessageEvent = {
      type: "message",
      kind: ev.kind,
      time: ev.time,
      room: ev.room,
      nick: ev.nick,
      text: ev.text,
      self: ev.self,
      history: ev.history,
      mention: false,
      resultNumber: this.results.length,
    };
    const w = this.windows.active;
    if (w !== undefined) this.windows.add(w, row);
    if (w === undefined || w.scroll === 0) this.screen.print(this.view.render(row));
  }

  private search(words: string, target: string | undefined): void {
    const conn = this.conn;
    if (conn === undefined) return;
    if (!conn.state.caps.has("soju.im/search")) {
      this.show({
        type: "error",
        time: new Date(),
        text: `${conn.where} has no search (soju.im/search)`,
      });
      return;
    }
    this.results = [];
    this.info(`searching${target === undefined ? "" : ` ${target}`} for: ${words}`);
    if (!conn.send(searchRequest(words, target))) return;
    void conn.barrier().then(() => {
      const n = this.results.length;
      this.info(n === 0 ? "nothing found" : `${n} found; /jump N shows one in its window`);
    });
  }

  /** Result N in its window, with the lines around it fetched (CHATHISTORY AROUND). */
  private jump(index: number): void {
    const ev = this.results[index - 1];
    const conn = this.conn;
    if (ev === undefined || conn === undefined) {
      this.show({
        type: "error",
        time: new Date(),
        text: `no search result ${index}: /search first`,
      });
      return;
    }
    const w = this.windows.open(ev.room, conn.state.isChannel(ev.room) ? "room" : "query");
    this.windows.selectName(w.name);
    if (ev.msgid !== undefined) {
      w.jumpTo = ev.msgid;
      w.fetching = true;
      if (!w.events.some((e) => e.type === "message" && e.msgid === ev.msgid))
        this.windows.add(w, { ...ev, found: false });
      conn.send(message("CHATHISTORY", ["AROUND", ev.room, `msgid=${ev.msgid}`, "20"]));
    }
    this.view.afterSwitch();
  }

  private mentionList(): void {
    const found = recentMentions(this.windows, 20);
    if (found.length === 0) {
      this.info("no mentions yet");
      return;
    }
    this.results = [];
    for (const ev of found) this.showFound(ev);
    this.info(`${found.length} recent mentions; /jump N shows one in its window`);
  }

  private ignore(nick: string | undefined, ignored: boolean): void {
    if (nick === undefined) {
      const list = this.ignored.list();
      this.info(list.length === 0 ? "nobody is ignored" : `ignored: ${list.join(" ")}`);
      return;
    }
    const failed = this.ignored.set(nick, ignored);
    if (failed !== undefined) this.show({ type: "error", time: new Date(), text: failed });
    else
      this.info(
        ignored ? `ignoring ${nick} (/unignore ${nick} to undo)` : `no longer ignoring ${nick}`,
      );
  }

  info(text: string): void {
    this.show({ type: "info", time: new Date(), text });
  }

  updatePrompt(): void {
    const st = this.conn?.state;
    const where = clean(st?.current ?? "no room");
    const offline = this.conn !== undefined && !this.conn.connected ? " (offline)" : "";
    const plain = `[${where}${offline}] `;
    const styled = this.tty.colour ? `\x1b[1m[${where}${offline}]\x1b[0m ` : plain;
    this.screen.setPrompt(styled, plain);
  }

  private onBytes(bytes: Uint8Array): void {
    for (const key of this.keys.push(bytes)) {
      if (this.view.windowKey(key)) continue;
      const r = this.editor.feed(key);
      switch (r.kind) {
        case "submit":
          this.screen.redraw();
          if (this.answer === undefined && r.line.trim() !== "") this.view.toBottom();
          this.submit(r.line);
          break;
        case "complete":
          this.complete();
          break;
        case "paste":
          this.screen.redraw();
          this.paste(r.lines);
          break;
        case "interrupt":
        case "eof":
          this.answer?.(false);
          this.answer = undefined;
          void this.quit("");
          return;
        case "redraw":
          this.view.repaint();
          break;
        case "none":
          this.screen.redraw();
          break;
      }
    }
  }

  /**
   * A pasted block: one draft/multiline message where the server takes it;
   * otherwise one message a line, after asking when there are many.
   */
  private paste(lines: string[]): void {
    const conn = this.conn;
    const target = conn?.state.current;
    if (conn === undefined || target === undefined) {
      this.show({
        type: "error",
        time: new Date(),
        text: "you are not in a room: /join ROOM first",
      });
      return;
    }
    const count = lines.filter((l) => l.trim() !== "").length;
    if (canSendMultiline(conn.state, { target, lines }) || count <= PASTE_ASK_ABOVE) {
      conn.sayLines(target, lines);
      return;
    }
    void this.ask(`Send these ${count} lines to ${target} as ${count} separate messages?`).then(
      (yes) => {
        if (yes) conn.sayLines(target, lines);
        else this.info("paste not sent");
      },
    );
  }

  private complete(): void {
    const st = this.conn?.state;
    const nicks = st?.currentMembers() ?? [];
    const c = complete(this.editor.beforeCursor, nicks, commandNames);
    if (c === undefined) return;
    this.editor.replaceBeforeCursor(c.replace, c.text);
    if (c.candidates.length > 1) this.info(c.candidates.join("  "));
    else this.screen.redraw();
  }

  async quit(reason: string): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    await this.conn?.quit(reason);
    this.end(0);
  }

  submit(line: string): void {
    const answer = this.answer;
    if (answer !== undefined) {
      this.answer = undefined;
      answer(/^\s*y(es)?\s*$/i.test(line));
      return;
    }
    const conn = this.conn;
    if (conn === undefined) return;
    const action = parseInput(line, conn.state);
    switch (action.kind) {
      case "none":
        return;
      case "say":
        conn.say(action.target, action.text, action.action);
        return;
      case "send":
        for (const m of action.messages) {
          if (!conn.send(m)) {
            this.show({ type: "error", time: new Date(), text: "not connected right now" });
            break;
          }
        }
        return;
      case "switch": {
        const isRoom = conn.state.isChannel(action.target);
        this.windows.open(action.target, isRoom ? "room" : "query");
        this.windows.selectName(action.target);
        this.view.afterSwitch();
        this.info(`now talking in ${action.target}`);
        if (action.text !== undefined) conn.say(action.target, action.text, false);
        return;
      }
      case "window":
        if (this.windows.select(action.index)) this.view.afterSwitch();
        else
          this.show({
            type: "error",
            time: new Date(),
            text: `there is no window ${action.index + 1}`,
          });
        return;
      case "close":
        this.windows.close(action.target);
        this.view.afterSwitch();
        return;
      case "join":
        conn.state.switchOnJoin = action.channels[0];
        conn.join(action.channels, action.key);
        return;
      case "help":
        this.screen.print(action.lines.map((l) => (this.tty.colour ? `\x1b[2m${l}\x1b[0m` : l)));
        return;
      case "quit":
        void this.quit(action.reason);
        return;
      case "info":
        this.info(action.text);
        return;
      case "search":
        this.search(action.words, action.target);
        return;
      case "jump":
        this.jump(action.index);
        return;
      case "mentions":
        this.mentionList();
        return;
      case "ignore":
        this.ignore(action.nick, action.ignored);
        return;
      case "error":
        this.show({ type: "error", time: new Date(), text: action.text });
        return;
    }
  }
}
