/**
 * Channel family: JOIN, PART, TOPIC, NAMES, LIST, INVITE, KICK.
 */
import { prefixOf, type RoomView } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { ERR, RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";
import { matches, parseList } from "./elist.ts";
import { replay } from "./history.ts";
import { sendMarker } from "./read-marker.ts";
import { eachTarget, splitList, targetList } from "./targets.ts";

// JOIN <channel>{,<channel>} [<key>{,<key>}]  |  JOIN 0
export function join(ctx: CommandContext, msg: IrcMessage): void {
  const { core } = ctx;
  if (msg.params[0] === "0") {
    core.partAll();
    return;
  }
  const names = targetList(ctx, msg.params[0]);
  const keys = (msg.params[1] ?? "").split(",");
  eachTarget(ctx, names, (name, i) => {
    const key = keys[i];
    const joined = core.join(name, key === "" ? undefined : key);
    if (joined === undefined) return;
    // This room's topic and NAMES follow its JOIN, before the next room's JOIN,
    // in the order InspIRCd and ngIRCd use and clients expect.
    const topic = joined.room.topic;
    if (topic !== undefined) {
      ctx.irc.reply(RPL.TOPIC, joined.room.channel, topic.text);
      ctx.irc.reply(
        RPL.TOPICWHOTIME,
        joined.room.channel,
        topic.setBy,
        String(Math.floor(topic.setAt / 1000)),
      );
    }
    // draft/read-marker: the room's marker after its JOIN, before RPL_ENDOFNAMES.
    if (core.hasCap("draft/read-marker"))
      sendMarker(ctx, joined.room.channel, core.readMarker(joined.room.channel));
    sendNames(ctx, joined.room);
    if (joined.replay !== undefined) replay(ctx, joined.room.channel, joined.replay);
  });
}

/** RPL_NAMREPLY's channel symbol: `@` secret (+s), `*` private (+p), `=` public. */
const SYMBOL: Record<RoomView["visibility"], string> = { secret: "@", private: "*", public: "=" };

/** RPL_NAMREPLY lines (split to stay under the line limit) and RPL_ENDOFNAMES. */
export function sendNames(ctx: CommandContext, room: RoomView): void {
  const { core, irc } = ctx;
  if (room.note !== undefined) irc.notice(room.note);
  const full = core.hasCap("userhost-in-names");
  const multi = core.hasCap("multi-prefix");
  const symbol = SYMBOL[room.visibility];
  const head = `:${core.server.name} ${RPL.NAMREPLY} ${core.nick ?? "*"} ${symbol} ${room.channel} :`;
  // Bytes, not characters: a room name may be non-ASCII.
  const budget = 480 - Buffer.byteLength(head);
  let line = "";
  for (const m of room.members) {
    const item = prefixOf(m, multi) + (full ? m.userhost : m.nick);
    if (line !== "" && line.length + item.length + 1 > budget) {
      irc.raw(head + line);
      line = "";
    }
    line = line === "" ? item : `${line} ${item}`;
  }
  if (line !== "") irc.raw(head + line);
  irc.reply(RPL.ENDOFNAMES, room.channel, "End of /NAMES list");
}

// PART <channel>{,<channel>} [<reason>]
export function part(ctx: CommandContext, msg: IrcMessage): void {
  const reason = msg.params[1];
  eachTarget(ctx, targetList(ctx, msg.params[0]), (name) => ctx.core.part(name, reason));
}

// TOPIC <channel> [<topic>]
export function topic(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const name = msg.params[0] as string;
  const text = msg.params[1];
  if (text !== undefined) {
    core.setTopic(name, text);
    return;
  }
  const t = core.topic(name);
  const shown = core.names(name)?.channel ?? name;
  if (t === undefined) {
    irc.reply(RPL.NOTOPIC, shown, "No topic is set");
    return;
  }
  irc.reply(RPL.TOPIC, shown, t.text);
  irc.reply(RPL.TOPICWHOTIME, shown, t.setBy, String(Math.floor(t.setAt / 1000)));
}

// NAMES [<channel>{,<channel>}]
export function names(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const list = splitList(msg.params[0]);
  if (list.length === 0) {
    irc.reply(RPL.ENDOFNAMES, "*", "End of /NAMES list");
    return;
  }
  // TARGMAX NAMES: extra names beyond the limit are ignored.
  for (const name of list.slice(0, core.server.limits.maxTargets)) {
    const room = core.names(name);
    if (room === undefined) irc.reply(RPL.ENDOFNAMES, name, "End of /NAMES list");
    else sendNames(ctx, room);
  }
}

// LIST [<channel>|<elist condition>{,...}]   (ELIST=CMNTU: see elist.ts)
export function list(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const query = parseList(splitList(msg.params[0]));
  // Only conditions: every room is a candidate; names (with or without conditions): those rooms.
  const rooms =
    query.names.length === 0 && query.keep.length > 0 ? core.list() : core.list(query.names);
  const now = core.now();
  irc.reply(RPL.LISTSTART, "Channel", "Users  Name");
  for (const r of rooms) {
    if (matches(query, r, now)) irc.reply(RPL.LIST, r.name, String(r.users), r.topic);
  }
  irc.reply(RPL.LISTEND, "End of /LIST");
}

// INVITE <nickname> <channel>  |  INVITE   (no parameters: your pending invitations)
export function invite(ctx: CommandContext, msg: IrcMessage): void {
  if (msg.params.length === 0) {
    for (const channel of ctx.core.pendingInvites()) ctx.irc.reply(RPL.INVITED, channel);
    ctx.irc.reply(RPL.ENDOFINVITED, "End of /INVITE list");
    return;
  }
  if (msg.params.length < 2) {
    ctx.irc.reply(ERR.NEEDMOREPARAMS, "INVITE", "Not enough parameters");
    return;
  }
  const invited = ctx.core.invite(msg.params[0] as string, msg.params[1] as string);
  ctx.irc.reply(RPL.INVITING, invited.nick, invited.channel);
  if (invited.away !== undefined) ctx.irc.reply(RPL.AWAY, invited.nick, invited.away);
}

// KICK <channel> <user>{,<user>} [<comment>]
export function kick(ctx: CommandContext, msg: IrcMessage): void {
  const { core } = ctx;
  const name = msg.params[0] as string;
  const reason = msg.params[2] ?? core.nick ?? "";
  const victims = targetList(ctx, msg.params[1]);
  eachTarget(ctx, victims, (victim) => core.kick(name, victim, reason));
}
