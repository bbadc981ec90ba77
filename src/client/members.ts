/**
 * Who is in a room and which of them own their nick, for the member list:
 * NAMES (353/366) fills the room; accounts come from extended-join, ACCOUNT
 * (account-notify) and, for those already there when we join, one WHOX query
 * (`WHO #room %tna,<token>`). The nick is the account name, so a member owns
 * their nick when their account is that nick; the list marks them with a ✓.
 *
 * The list shown on joining waits for that query's end (315), so it is shown
 * once, with the marks; a server without WHOX shows it at 366 as before.
 */
import { foldCase } from "../protocol/casemap.ts";
import { type IrcMessage, message } from "../protocol/message.ts";
import { RPL } from "../protocol/numerics.ts";
import { nickOf } from "../protocol/text.ts";
import type { ClientEvent, NamesEvent } from "./events.ts";
import type { ClientState } from "./state.ts";

type Handler = (state: ClientState, msg: IrcMessage, now: number) => ClientEvent[];

/** Marks our own WHOX replies, so a /who the user types is never mistaken for one. */
const WHOX_TOKEN = "713";

/** Record what the server said `nick` is logged in as ("*", "0" or "" for nothing). */
export function noteAccount(state: ClientState, nick: string, account: string): void {
  const key = foldCase(nick);
  if (account === "*" || account === "0" || account === "") state.accounts.delete(key);
  else state.accounts.set(key, account);
}

/** The account follows its session to the new nick (it owns the new one only if the same name). */
export function renameAccount(state: ClientState, from: string, to: string): void {
  const account = state.accounts.get(foldCase(from));
  state.accounts.delete(foldCase(from));
  if (account !== undefined) state.accounts.set(foldCase(to), account);
}

export function ownsNick(state: ClientState, nick: string): boolean {
  const account = state.accounts.get(foldCase(nick));
  return account !== undefined && foldCase(account) === foldCase(nick);
}

/** On our own JOIN: the WHOX query that learns who is logged in, or nothing without WHOX. */
export function accountsQuery(state: ClientState, room: string): IrcMessage | undefined {
  if (!state.isupport.has("WHOX")) return undefined;
  state.namesAfterWho.add(foldCase(room));
  return message("WHO", [room, `%tna,${WHOX_TOKEN}`]);
}

/** PREFIX=(qaohv)~&@%+ -> "~&@%+"; splits a NAMES entry into its highest prefix and the nick. */
function splitNamesEntry(state: ClientState, entry: string): { prefix: string; nick: string } {
  const prefix = state.isupport.get("PREFIX");
  const symbols = prefix !== undefined ? prefix.replace(/^\([^)]*\)/, "") : "~&@%+";
  let i = 0;
  while (i < entry.length && symbols.includes(entry.charAt(i))) i++;
  return { prefix: entry.slice(0, Math.min(i, 1)), nick: nickOf(entry.slice(i)) };
}

const namReply: Handler = (state, msg) => {
  const room = state.room(msg.params[2] ?? "");
  if (room === undefined) return [];
  if (room.namesFresh) {
    room.members.clear();
    room.prefixes = new Map();
    room.namesFresh = false;
  }
  for (const entry of (msg.params[msg.params.length - 1] ?? "").split(" ")) {
    if (entry === "") continue;
    const { prefix, nick } = splitNamesEntry(state, entry);
    room.members.set(foldCase(nick), nick);
    if (prefix !== "") room.prefixes?.set(foldCase(nick), prefix);
  }
  return [];
};

function namesEvent(state: ClientState, name: string, now: number): ClientEvent[] {
  const room = state.room(name);
  if (room === undefined) return [];
  const nicks = [...room.members.values()].sort((a, b) => foldCase(a).localeCompare(foldCase(b)));
  const ev: NamesEvent = { type: "names", time: new Date(now), room: room.name, nicks };
  if (room.prefixes !== undefined && room.prefixes.size > 0) ev.prefixes = room.prefixes;
  const owned = new Set(nicks.filter((n) => ownsNick(state, n)).map((n) => foldCase(n)));
  if (owned.size > 0) ev.owned = owned;
  return [ev];
}

const endOfNames: Handler = (state, msg, now) => {
  const name = msg.params[1] ?? "";
  const room = state.room(name);
  if (room === undefined) return [];
  room.namesFresh = true;
  // Our WHOX query is on its way: the list is shown when it ends, with the marks.
  if (state.namesAfterWho.has(foldCase(name))) return [];
  return namesEvent(state, name, now);
};

// 354 <me> <token> <nick> <account>   (only ours: `%tna,713`)
const whoxReply: Handler = (state, msg) => {
  if (msg.params[1] === WHOX_TOKEN && msg.params.length >= 4) {
    noteAccount(state, msg.params[2] ?? "", msg.params[3] ?? "");
  }
  return [];
};

// 315 <me> <mask> :End of WHO list
const endOfWho: Handler = (state, msg, now) => {
  const name = msg.params[1] ?? "";
  if (!state.namesAfterWho.delete(foldCase(name))) return [];
  return namesEvent(state, name, now);
};

// ACCOUNT <name> | ACCOUNT *   (account-notify)
const accountChange: Handler = (state, msg) => {
  noteAccount(state, nickOf(msg.source ?? ""), msg.params[0] ?? "*");
  return [];
};

export const memberHandlers: Record<string, Handler> = {
  [RPL.NAMREPLY]: namReply,
  [RPL.ENDOFNAMES]: endOfNames,
  [RPL.WHOSPCRPL]: whoxReply,
  [RPL.ENDOFWHO]: endOfWho,
  ACCOUNT: accountChange,
};
