/**
 * The one point where text from the network is made safe for a terminal:
 * every string an event carries (nicks, room names, texts, NAMES lists, status
 * prefixes) goes through `clean`, so a nick or a room name can no more move
 * the cursor, retitle the window or write the clipboard than a message can.
 * The renderers (format.ts) call `safeEvent` first; the status line and the
 * prompt call `clean` on the window names they show. Pure.
 */
import { clean } from "../../protocol/text.ts";
import type { ClientEvent } from "../events.ts";

export { clean };

/** A copy of the event with every string field cleaned. */
export function safeEvent(ev: ClientEvent): ClientEvent {
  if (ev.type === "names") {
    const out = { ...ev, room: clean(ev.room), nicks: ev.nicks.map(clean) };
    if (ev.prefixes !== undefined)
      out.prefixes = new Map([...ev.prefixes].map(([k, v]) => [clean(k), clean(v)]));
    return out;
  }
  if (ev.type === "nick")
    return { ...ev, nick: clean(ev.nick), newNick: clean(ev.newNick), rooms: ev.rooms.map(clean) };
  const base = { ...ev, text: clean(ev.text) };
  switch (base.type) {
    case "message":
      // A multi-line message (draft/multiline) keeps its line breaks, each line cleaned.
      return {
        ...base,
        text: ev.text.includes("\n") ? ev.text.split("\n").map(clean).join("\n") : base.text,
        room: clean(base.room),
        nick: clean(base.nick),
      };
    case "join":
    case "part":
    case "kick": {
      const out = { ...base, room: clean(base.room), nick: clean(base.nick) };
      if (base.target !== undefined) out.target = clean(base.target);
      return out;
    }
    case "quit":
      return { ...base, nick: clean(base.nick), rooms: base.rooms.map(clean) };
    case "topic": {
      const out = { ...base, room: clean(base.room) };
      if (base.nick !== undefined) out.nick = clean(base.nick);
      return out;
    }
    case "info": {
      const out = { ...base };
      if (base.room !== undefined) out.room = clean(base.room);
      return out;
    }
    case "error":
    case "status":
      return base;
  }
}
