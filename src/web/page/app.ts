/**
 * The page's wiring: nick choice (kept in localStorage, so a reload goes
 * straight back in), the session, the view, slash commands, typing notices,
 * notifications and the title badge for mentions and DMs.
 */
import { type CommandContext, runCommand } from "./commands.ts";
import { fold, isChannel, splitText, textBudget } from "./irc.ts";
import { newSecret } from "./sasl.ts";
import { Session } from "./session.ts";
import { ChatState, type Conversation, type Line } from "./state.ts";
import { buildPage, drawHeader, drawRooms, drawTyping, LogView } from "./view.ts";

const KEY_NICK = "chat.nick";
const KEY_ROOMS = "chat.rooms";
const KEY_CURRENT = "chat.current";
/** Owned-nick secrets, one per nick (casefolded), as JSON. */
const KEY_SECRETS = "chat.secrets";
/** How often an "I am typing" notice is repeated while typing. */
const TYPING_EVERY_MS = 3000;

const state = new ChatState();
const e = buildPage(document.body);
const log = new LogView(e);
let session: Session | undefined;
let lastTyping = 0;

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or full storage: the page still works, it just forgets on reload.
  }
}

/** The secret for `nick`, made and kept the first time it is asked for. */
function secretFor(nick: string): string {
  let secrets: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(stored(KEY_SECRETS) ?? "{}");
    if (parsed !== null && typeof parsed === "object") secrets = parsed as Record<string, string>;
  } catch {
    // A damaged entry must not stop the page: start over (the old nick is then refused).
  }
  const key = fold(nick);
  let secret = secrets[key];
  if (typeof secret !== "string" || secret === "") {
    secret = newSecret();
    secrets[key] = secret;
    store(KEY_SECRETS, JSON.stringify(secrets));
  }
  return secret;
}

function current(): Conversation {
  return state.conversations.get(state.current) ?? state.ensure("*server", "server");
}

function remember(): void {
  const names = [...state.conversations.values()].filter((c) => c.kind !== "server");
  store(KEY_ROOMS, JSON.stringify(names.map((c) => c.name)));
  store(KEY_CURRENT, current().name);
}

let scheduled = false;
/** Redraw once per frame at most, however many lines arrived. */
function redraw(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const c = current();
    // What is on screen in a visible tab has been read, here and on the other devices.
    if (!document.hidden) session?.markRead(c);
    drawRooms(e, state, select);
    drawHeader(e, state, c);
    log.draw(c);
    drawTyping(e, state.typingNow(c, Date.now()));
    // Scrolled to the top while a page was still loading: the scroll event came
    // and went, so ask for the next page now.
    if (e.log.scrollTop < 40 && e.log.scrollHeight > e.log.clientHeight) session?.loadOlder(c);
    const n = state.badge();
    document.title = `${n > 0 ? `(${n}) ` : ""}${c.kind === "server" ? "chat" : `${c.name} · chat`}`;
    remember();
  });
}

function select(key: string): void {
  const c = state.conversations.get(key);
  if (c === undefined) return;
  state.select(c.name);
  redraw();
  if (c.lines.length === 0 && session?.online && c.kind === "dm") session.catchUp(c);
  e.text.focus();
}

function alert(c: Conversation, line: Line): void {
  if (!document.hidden && state.current === c.key) return;
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const title = c.kind === "dm" ? `${line.nick} (private)` : `${line.nick} in ${c.name}`;
  const n = new Notification(title, { body: line.text, tag: c.key });
  n.onclick = () => {
    window.focus();
    select(c.key);
  };
}

function start(nick: string): void {
  e.login.hidden = true;
  e.chat.hidden = false;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
  session = new Session(
    state,
    {
      changed: redraw,
      alert,
      secret: secretFor,
      registered(now) {
        store(KEY_NICK, now);
        // A first visit lands in #lobby, like `chat join` and nc users.
        if (![...state.conversations.values()].some((c) => c.kind === "room")) {
          session?.pendingSelect.add(fold("#lobby"));
          session?.send("JOIN", ["#lobby"]);
        }
      },
    },
    nick,
    url,
  );
  session.connect();
  redraw();
  e.text.focus();
}

const ctx: CommandContext = {
  get here() {
    return current().kind === "server" ? "*server" : current().name;
  },
  send: (command, params) => session?.send(command, params),
  say(target, text, action) {
    if (text === "") return;
    // A long message goes as several, like `chat join` sends it.
    const budget = textBudget(state.nick, target) - (action ? 9 : 0);
    for (const piece of splitText(text, budget)) {
      session?.send("PRIVMSG", [target, action ? `\x01ACTION ${piece}\x01` : piece]);
    }
    if (!isChannel(target)) {
      state.ensure(target, "dm");
      state.select(target);
    }
    if (session !== undefined && !session.caps.has("echo-message")) {
      state.add(
        current(),
        {
          time: Date.now(),
          kind: action ? "action" : "message",
          nick: state.nick,
          text,
          mention: false,
        },
        false,
      );
    }
  },
  join(room) {
    const c = state.get(room);
    if (c?.joined) {
      select(c.key);
      return;
    }
    session?.pendingSelect.add(fold(room));
    session?.send("JOIN", [room]);
  },
  open(name) {
    state.ensure(name, "dm");
    select(fold(name));
  },
  info(text) {
    state.add(
      current(),
      { time: Date.now(), kind: "event", nick: "", text, mention: false },
      false,
    );
  },
};

e.compose.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = e.text.value;
  e.text.value = "";
  if (text.trim() === "") return;
  const c = current();
  if (text.startsWith("/")) runCommand(ctx, text);
  else if (c.kind === "server") ctx.info("This is the server tab; pick a room, or /join #room.");
  else {
    if (lastTyping !== 0) typing(c, "done");
    ctx.say(c.name, text);
  }
  redraw();
});

function typing(c: Conversation, what: "active" | "done"): void {
  lastTyping = what === "active" ? Date.now() : 0;
  if (session?.caps.has("message-tags")) {
    session.send("TAGMSG", [c.name], new Map([["+typing", what]]));
  }
}

e.text.addEventListener("input", () => {
  const c = current();
  const t = e.text.value;
  if (c.kind === "server" || t.startsWith("/")) return;
  if (t === "" && lastTyping !== 0) typing(c, "done");
  else if (t !== "" && Date.now() - lastTyping > TYPING_EVERY_MS) typing(c, "active");
});

e.log.addEventListener("scroll", () => {
  if (e.log.scrollTop < 40 && session !== undefined) session.loadOlder(current());
});

e.login.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const nick = e.nickInput.value.trim();
  if (!/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/.test(nick)) {
    e.loginError.textContent =
      "A nick is letters, digits and [ ] \\ ` _ ^ { | } -, not starting with a digit or -.";
    return;
  }
  // Asked on a click, as browsers require; mentions and DMs then notify.
  if ("Notification" in window && Notification.permission === "default") {
    void Notification.requestPermission();
  }
  start(nick);
});

// The network came back, or the tab woke from sleep: reconnect now, not after the backoff.
window.addEventListener("online", () => session?.nudge());
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    session?.nudge();
    const c = current();
    c.unread = 0;
    c.mentioned = false;
    redraw();
  }
});
// Typing notices run out without a message.
setInterval(() => {
  if (current().typing.size > 0) redraw();
}, 1000);

function restore(): void {
  try {
    const names: unknown = JSON.parse(stored(KEY_ROOMS) ?? "[]");
    if (Array.isArray(names))
      for (const n of names) if (typeof n === "string" && n !== "") state.ensure(n);
  } catch {
    // A damaged entry: start with no rooms.
  }
  const cur = stored(KEY_CURRENT);
  if (cur !== null && state.get(cur) !== undefined) state.select(cur);
}

restore();
const saved = stored(KEY_NICK);
if (saved !== null && saved !== "") start(saved);
else e.nickInput.focus();
