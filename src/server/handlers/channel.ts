/**
 * Channel family: JOIN, PART, TOPIC, NAMES.
 */
import type { IrcMessage } from "../../protocol/message.ts";
import { RPL } from "../../protocol/numerics.ts";
import { ChatError } from "../errors.ts";
import type { CommandContext } from "../irc-front.ts";

/** Run `fn` per target; a refused target answers its own numeric and the rest go on. */
export function eachTarget(
  ctx: CommandContext,
  targets: string[],
  fn: (target: string, index: number) => void,
): void {
  targets.forEach((t, i) => {
    try {
      fn(t, i);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      ctx.irc.error(err);
    }
  });
}

export function splitList(param: string | undefined): string[] {
  return (param ?? "").split(",").filter((t) => t !== "");
}

// JOIN <channel>{,<channel>} [<key>{,<key>}]  |  JOIN 0
export function join(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s } = ctx;
  if (msg.params[0] === "0") {
    for (const ch of [...s.joined.values()]) server.part(s, ch.name, undefined);
    return;
  }
  const names = splitList(msg.params[0]);
  const keys = (msg.params[1] ?? "").split(",");
  if (names.length > server.limits.maxTargets) {
    throw new ChatError("tooManyTargets", [names[server.limits.maxTargets] ?? "*"]);
  }
  eachTarget(ctx, names, (name, i) => {
    const key = keys[i];
    server.join(s, name, key === "" ? undefined : key);
    // The JOIN line goes out at once; send this room's topic and NAMES before the
    // next room's JOIN, in the order InspIRCd and ngIRCd use and clients expect.
    ctx.irc.flushReplies();
  });
}

// PART <channel>{,<channel>} [<reason>]
export function part(ctx: CommandContext, msg: IrcMessage): void {
  const reason = msg.params[1];
  const names = splitList(msg.params[0]);
  if (names.length > ctx.server.limits.maxTargets) {
    throw new ChatError("tooManyTargets", [names[ctx.server.limits.maxTargets] ?? "*"]);
  }
  eachTarget(ctx, names, (name) => {
    ctx.server.part(ctx.session, name, reason);
  });
}

// TOPIC <channel> [<topic>]
export function topic(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const name = msg.params[0] as string;
  const text = msg.params[1];
  if (text !== undefined) {
    server.topic(s, name, text);
    return;
  }
  const ch = server.getChannel(name);
  if (ch === undefined) throw new ChatError("noSuchChannel", [name]);
  const t = server.topic(s, name, undefined);
  if (t === undefined) {
    irc.reply(RPL.NOTOPIC, ch.name, "No topic is set");
    return;
  }
  irc.reply(RPL.TOPIC, ch.name, t.text);
  irc.reply(RPL.TOPICWHOTIME, ch.name, t.setBy, String(Math.floor(t.setAt / 1000)));
}

// NAMES [<channel>{,<channel>}]
export function names(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const list = splitList(msg.params[0]);
  if (list.length === 0) {
    irc.reply(RPL.ENDOFNAMES, "*", "End of /NAMES list");
    return;
  }
  // TARGMAX NAMES: extra names beyond the limit are ignored.
  for (const name of list.slice(0, server.limits.maxTargets)) {
    const ch = server.getChannel(name);
    if (ch === undefined) {
      irc.reply(RPL.ENDOFNAMES, name, "End of /NAMES list");
      continue;
    }
    irc.names(server.joinedInfo(ch, s));
  }
}

// LIST [<channel>{,<channel>}]
export function list(ctx: CommandContext, msg: IrcMessage): void {
  const { server, irc } = ctx;
  const wanted = splitList(msg.params[0]);
  irc.reply(RPL.LISTSTART, "Channel", "Users  Name");
  const chans =
    wanted.length > 0
      ? wanted.map((n) => server.getChannel(n)).filter((c) => c !== undefined)
      : [...server.channels.values()];
  for (const ch of chans) {
    irc.reply(RPL.LIST, ch.name, String(ch.members.size), ch.topic?.text ?? "");
  }
  irc.reply(RPL.LISTEND, "End of /LIST");
}

// INVITE <nickname> <channel>
export function invite(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s, irc } = ctx;
  const invitee = server.invite(s, msg.params[0] as string, msg.params[1] as string);
  const ch = server.getChannel(msg.params[1] as string);
  irc.reply(RPL.INVITING, invitee.nick ?? "*", ch?.name ?? (msg.params[1] as string));
  if (invitee.away !== undefined) irc.reply(RPL.AWAY, invitee.nick ?? "*", invitee.away);
}

// KICK <channel> <user>{,<user>} [<comment>]
export function kick(ctx: CommandContext, msg: IrcMessage): void {
  const { server, session: s } = ctx;
  const name = msg.params[0] as string;
  const reason = msg.params[2] ?? s.nick ?? "";
  const victims = splitList(msg.params[1]);
  if (victims.length > server.limits.maxTargets) {
    throw new ChatError("tooManyTargets", [victims[server.limits.maxTargets] ?? "*"]);
  }
  eachTarget(ctx, victims, (victim) => server.kick(s, name, victim, reason));
}
