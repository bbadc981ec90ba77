/**
 * The page's DOM. Every string from the network goes in as text
 * (`textContent`, text nodes), never as HTML: nicks, messages, topics, room
 * names, server notices. Links are built as elements with an http(s) href.
 */
import { linkParts } from "./link.ts";
import type { ChatState, Conversation, Line } from "./state.ts";

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A stable colour class per nick (eight, each readable in light and dark). */
function nickClass(nick: string): string {
  let h = 0;
  for (const ch of nick.toLowerCase()) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `nick nick-${h % 8}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

export interface Elements {
  readonly login: HTMLFormElement;
  readonly nickInput: HTMLInputElement;
  readonly loginError: HTMLElement;
  readonly chat: HTMLElement;
  readonly rooms: HTMLElement;
  readonly title: HTMLElement;
  readonly topic: HTMLElement;
  readonly status: HTMLElement;
  readonly log: HTMLOListElement;
  readonly typing: HTMLElement;
  readonly compose: HTMLFormElement;
  readonly text: HTMLInputElement;
}

/** Build the page's fixed parts once. */
export function buildPage(root: HTMLElement): Elements {
  const login = el("form", "login");
  const h1 = el("h1", undefined, "chat");
  const label = el("label", undefined, "Pick a nick");
  const nickInput = el("input");
  nickInput.name = "nick";
  nickInput.autocomplete = "username";
  nickInput.maxLength = 30;
  nickInput.required = true;
  label.append(nickInput);
  const go = el("button", undefined, "Join the chat");
  go.type = "submit";
  const loginError = el("p", "error");
  login.append(h1, label, go, loginError);

  const chat = el("div", "chat");
  chat.hidden = true;
  const rooms = el("nav", "rooms");
  rooms.setAttribute("aria-label", "Rooms and conversations");
  const main = el("main");
  const header = el("header");
  const title = el("h2");
  const topic = el("p", "topic");
  const status = el("p", "status");
  header.append(title, topic, status);
  const log = el("ol", "log");
  log.setAttribute("aria-live", "polite");
  const typing = el("p", "typing");
  const compose = el("form", "compose");
  const text = el("input");
  text.name = "text";
  text.autocomplete = "off";
  text.placeholder = "Message, or /help";
  text.setAttribute("aria-label", "Message");
  const send = el("button", undefined, "Send");
  send.type = "submit";
  compose.append(text, send);
  main.append(header, log, typing, compose);
  chat.append(rooms, main);
  root.append(login, chat);
  return {
    login,
    nickInput,
    loginError,
    chat,
    rooms,
    title,
    topic,
    status,
    log,
    typing,
    compose,
    text,
  };
}

function label(c: Conversation): string {
  return c.kind === "server" ? "Server" : c.name;
}

/** The room list: rooms, then people, each with unread count and mention mark. */
export function drawRooms(e: Elements, s: ChatState, select: (key: string) => void): void {
  const order = [...s.conversations.values()].sort(
    (a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name),
  );
  const items: HTMLElement[] = [];
  for (const c of order) {
    const b = el("button", c.key === s.current ? "room current" : "room");
    b.type = "button";
    b.dataset.key = c.key;
    b.append(el("span", "name", label(c)));
    if (c.mentioned) b.append(el("span", "mention", "@"));
    if (c.unread > 0) b.append(el("span", "unread", String(c.unread)));
    b.addEventListener("click", () => select(c.key));
    items.push(b);
  }
  e.rooms.replaceChildren(...items);
}

function rank(c: Conversation): number {
  return c.kind === "server" ? 2 : c.kind === "room" ? 0 : 1;
}

function drawLine(l: Line): HTMLLIElement {
  const li = el("li", `line ${l.kind}${l.mention ? " mentioned" : ""}`);
  const t = el("time", "time", timeFormat.format(l.time));
  t.dateTime = new Date(l.time).toISOString();
  t.title = dateFormat.format(l.time);
  li.append(t);
  if (l.kind === "message" || l.kind === "notice") li.append(el("span", nickClass(l.nick), l.nick));
  const body = el("span", "text");
  if (l.kind === "action") body.append(el("span", nickClass(l.nick), l.nick));
  for (const part of linkParts(l.text)) {
    if (part.href === undefined) {
      body.append(part.text);
      continue;
    }
    const a = el("a", undefined, part.text);
    a.href = part.href;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    body.append(a);
  }
  li.append(body);
  return li;
}

/** What the log shows now, to append only what is new when that is all that changed. */
interface Drawn {
  key: string;
  first: Line | undefined;
  last: Line | undefined;
  count: number;
}

export class LogView {
  private drawn: Drawn = { key: "", first: undefined, last: undefined, count: 0 };

  constructor(private readonly e: Elements) {}

  draw(c: Conversation): void {
    const log = this.e.log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    const fromBottom = log.scrollHeight - log.scrollTop;
    const d = this.drawn;
    // Only appended if the first and the last drawn lines are where they were
    // (a catch-up line in time order may land between drawn ones).
    const sameStart =
      d.key === c.key &&
      d.first === c.lines[0] &&
      c.lines.length >= d.count &&
      d.last === c.lines[d.count - 1];
    if (sameStart) {
      for (const l of c.lines.slice(d.count)) log.append(drawLine(l));
    } else {
      log.replaceChildren(...c.lines.map(drawLine));
    }
    const switched = d.key !== c.key;
    this.drawn = { key: c.key, first: c.lines[0], last: c.lines.at(-1), count: c.lines.length };
    if (switched || atBottom) log.scrollTop = log.scrollHeight;
    // Older lines came in above: keep what the reader was looking at in place.
    else if (!sameStart) log.scrollTop = log.scrollHeight - fromBottom;
  }
}

export function drawHeader(e: Elements, s: ChatState, c: Conversation): void {
  e.title.textContent = label(c);
  e.topic.textContent = c.kind === "room" ? c.topic : "";
  const here = c.kind === "room" && c.members.size > 0 ? `${c.members.size} here · ` : "";
  e.status.textContent = `${here}${s.nick ? `you are ${s.nick} · ` : ""}${s.status}`;
  e.status.className = s.status === "online" ? "status" : "status offline";
}

export function drawTyping(e: Elements, names: string[]): void {
  e.typing.textContent =
    names.length === 0
      ? ""
      : names.length === 1
        ? `${names[0]} is typing…`
        : names.length <= 3
          ? `${names.join(", ")} are typing…`
          : "Several people are typing…";
}
