import { describe, expect, test } from "bun:test";
import type { ClientEvent, MessageEvent } from "../../../src/client/events.ts";
import { KeyDecoder } from "../../../src/client/ui/keys.ts";
import { statusLine } from "../../../src/client/ui/status-line.ts";
import { SCROLLBACK, visible, Windows } from "../../../src/client/windows.ts";

const route = { isChannel: (n: string) => n.startsWith("#") };
let clock = Date.UTC(2026, 0, 1, 10, 0);

function msg(room: string, over: Partial<MessageEvent> = {}): MessageEvent {
  clock += 1000;
  return {
    type: "message",
    kind: "privmsg",
    time: new Date(clock),
    room,
    nick: "bob",
    text: "hi",
    self: false,
    history: false,
    mention: false,
    ...over,
  };
}

function file(w: Windows, ev: ClientEvent): void {
  for (const win of w.route(ev, route)) w.add(win, ev);
}

describe("window state", () => {
  test("each room and each private conversation gets a window; the first is active", () => {
    const w = new Windows();
    file(w, { type: "join", time: new Date(), room: "#lobby", nick: "me", self: true, text: "" });
    file(w, msg("#dev"));
    file(w, msg("carol", { nick: "carol" }));
    expect(w.list.map((x) => [x.name, x.kind])).toEqual([
      ["#lobby", "room"],
      ["#dev", "room"],
      ["carol", "query"],
    ]);
    expect(w.active?.name).toBe("#lobby");
  });

  test("lines elsewhere count as unread; a mention or a private line marks the window", () => {
    const w = new Windows();
    w.open("#lobby", "room");
    file(w, msg("#dev"));
    file(w, msg("#dev", { mention: false }));
    file(w, msg("#ops", { mention: true }));
    file(w, msg("carol", { nick: "carol" }));
    file(w, msg("#lobby"));
    expect(w.statusText()).toBe("[1:#lobby] 2:#dev(2) 3:#ops(1!) 4:carol(1!)");
  });

  test("own lines and history are not unread", () => {
    const w = new Windows();
    w.open("#lobby", "room");
    file(w, msg("#dev", { self: true }));
    file(w, msg("#dev", { history: true }));
    expect(w.find("#dev")?.unread).toBe(0);
  });

  test("history newer than the synced read marker counts as unread; older does not", () => {
    const w = new Windows();
    w.open("#lobby", "room");
    const dev = w.open("#dev", "room");
    const at = (ms: number) => ({ ...msg("#dev", { history: true }), time: new Date(ms) });
    w.add(dev, at(1000), 2000);
    w.add(dev, at(2000), 2000);
    w.add(dev, at(3000), 2000);
    w.add(dev, at(4000), 2000);
    expect(dev.unread).toBe(2);
    expect(w.newest(dev)).toBe(4000);
  });

  test("selecting a window clears its count; next and previous wrap around", () => {
    const w = new Windows();
    for (const r of ["#a", "#b", "#c"]) w.open(r, "room");
    file(w, msg("#b"));
    expect(w.select(1)).toBe(true);
    expect(w.statusText()).toBe("1:#a [2:#b] 3:#c");
    w.step(1);
    w.step(1);
    expect(w.active?.name).toBe("#a");
    w.step(-1);
    expect(w.active?.name).toBe("#c");
    expect(w.select(7)).toBe(false);
    expect(w.active?.name).toBe("#c");
  });

  test("names are matched without case; closing the active window activates the one before", () => {
    const w = new Windows();
    for (const r of ["#a", "#b", "#c"]) w.open(r, "room");
    w.selectName("#B");
    expect(w.active?.name).toBe("#b");
    w.close("#b");
    expect(w.active?.name).toBe("#a");
    expect(w.list.map((x) => x.name)).toEqual(["#a", "#c"]);
  });

  test("a quit or nick change is filed in every window where that person was", () => {
    const w = new Windows();
    for (const r of ["#a", "#b", "#c"]) w.open(r, "room");
    w.open("bob", "query");
    file(w, { type: "quit", time: new Date(), nick: "bob", text: "", rooms: ["#a", "#c"] });
    expect(w.list.map((x) => x.events.length)).toEqual([1, 0, 1, 1]);
  });

  test("replies and errors go to the active window; server notices too", () => {
    const w = new Windows();
    w.open("#a", "room");
    w.open("#b", "room");
    w.select(1);
    file(w, { type: "error", time: new Date(), text: "no" });
    file(w, msg("", { kind: "notice", nick: "server" }));
    expect(w.find("#b")?.events.length).toBe(2);
    expect(w.find("#a")?.events.length).toBe(0);
  });

  test("older history goes before what is there, in time order; scrollback is bounded", () => {
    const w = new Windows();
    const win = w.open("#a", "room");
    const late = msg("#a", { text: "late" });
    const old1 = { ...msg("#a", { text: "old1", history: true }), time: new Date(1000) };
    const old2 = { ...msg("#a", { text: "old2", history: true }), time: new Date(2000) };
    w.add(win, late);
    w.add(win, old2);
    w.add(win, old1);
    expect(win.events.map((e) => (e.type === "message" ? e.text : ""))).toEqual([
      "old1",
      "old2",
      "late",
    ]);
    for (let i = 0; i < SCROLLBACK + 10; i++) w.add(win, msg("#a"));
    expect(win.events.length).toBe(SCROLLBACK);
  });
});

describe("scrolling and fetching older history", () => {
  test("an older page whose lines share a timestamp with the oldest shown goes before it, in the order sent", () => {
    // Lines sent in one burst share the server's millisecond; CHATHISTORY BEFORE
    // still returns the ones before the oldest shown, oldest first.
    const w = new Windows();
    const win = w.open("#a", "room");
    const at = (text: string, msgid: string) => ({
      ...msg("#a", { text, history: true, msgid }),
      time: new Date(5000),
    });
    for (const n of ["5", "6", "7", "8"]) w.add(win, at(n, `m${n}`));
    expect(w.older(win)).toEqual({ target: "#a", before: "msgid=m5" });
    for (const n of ["1", "2", "3", "4"]) w.add(win, at(n, `m${n}`));
    expect(win.events.map((e) => (e.type === "message" ? e.text : ""))).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
    ]);
  });

  const render = (ev: ClientEvent): string[] => [ev.type === "message" ? ev.text : ev.type];

  test("the view shows the last rows; scrolling moves it back and stops at the top", () => {
    const w = new Windows();
    const win = w.open("#a", "room");
    for (let i = 1; i <= 10; i++) w.add(win, msg("#a", { text: `l${i}` }));
    expect(visible(win, 3, render)).toEqual({ lines: ["l8", "l9", "l10"], atTop: false });
    win.scroll = 4;
    expect(visible(win, 3, render).lines).toEqual(["l4", "l5", "l6"]);
    win.scroll = 100;
    expect(visible(win, 3, render)).toEqual({ lines: ["l1", "l2", "l3"], atTop: true });
    expect(win.scroll).toBe(7);
  });

  test("a divider row marks where the lines after the read marker start", () => {
    const w = new Windows();
    const win = w.open("#a", "room");
    for (let i = 1; i <= 4; i++)
      w.add(win, { ...msg("#a", { text: `l${i}` }), time: new Date(i * 1000) });
    const divider = { after: 2000, line: "--new--" };
    expect(visible(win, 10, render, divider).lines).toEqual(["l1", "l2", "--new--", "l3", "l4"]);
    expect(visible(win, 10, render, { after: 9000, line: "--new--" }).lines).toEqual([
      "l1",
      "l2",
      "l3",
      "l4",
    ]);
  });

  test("older() asks before the oldest msgid, and says when a page brought nothing", () => {
    const w = new Windows();
    const win = w.open("#a", "room");
    w.add(win, msg("#a", { msgid: "m5" }));
    expect(w.older(win)).toEqual({ target: "#a", before: "msgid=m5" });
    // A page is in flight: no second request.
    expect(w.older(win)).toBeUndefined();
    win.fetching = false;
    w.add(win, { ...msg("#a", { msgid: "m2", history: true }), time: new Date(0) });
    expect(w.older(win)).toEqual({ target: "#a", before: "msgid=m2" });
    win.fetching = false;
    // Nothing older arrived: asking the same again means this is the start.
    expect(w.older(win)).toBeUndefined();
    expect(win.exhausted).toBe(true);
  });

  test("a window without msgids asks by timestamp", () => {
    const w = new Windows();
    const win = w.open("#a", "room");
    const ev = msg("#a");
    w.add(win, ev);
    expect(w.older(win)?.before).toBe(`timestamp=${ev.time.toISOString()}`);
  });
});

describe("status line and keys", () => {
  test("cut to the terminal width, network text cleaned, reverse video with colour", () => {
    const w = new Windows();
    w.open("#lob\x1b]0;x\x07by", "room");
    w.open("#dev", "room");
    expect(statusLine(w, "", 80, false)).toBe("[1:#lobby] 2:#dev");
    expect(statusLine(w, "", 10, false)).toBe("[1:#lobby");
    expect(statusLine(w, " -- more --", 80, true)).toBe(
      "\x1b[7m[1:#lobby] 2:#dev -- more --\x1b[0m",
    );
  });

  test("Alt-1..9, Alt-arrows, Ctrl-N/P and PageUp/PageDown decode as window keys", () => {
    const keys = new KeyDecoder().push(
      new TextEncoder().encode("\x1b3\x1b[1;3C\x1b[1;3D\x0e\x10\x1b[5~\x1b[6~\x1b\x1b[C\x1b\x1b[D"),
    );
    expect(keys).toEqual([
      { name: "alt-digit", digit: 3 },
      { name: "window-next" },
      { name: "window-prev" },
      { name: "window-next" },
      { name: "window-prev" },
      { name: "page-up" },
      { name: "page-down" },
      { name: "window-next" },
      { name: "window-prev" },
    ]);
  });
});
