/**
 * Registration family: CAP, PASS, NICK, USER, PING, PONG, QUIT, and the welcome
 * burst (001-005, LUSERS, MOTD) sent when registration completes.
 */

import { ChatError } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { ERR, RPL } from "../../../protocol/numerics.ts";
import { CAPABILITIES } from "../caps.ts";
import type { CommandContext } from "../context.ts";
import { abortSasl } from "./accounts.ts";
import { lusers, motd } from "./info.ts";
import { sendIsupport } from "./isupport.ts";

function capList(version: number): string[] {
  return Object.entries(CAPABILITIES).map(([name, value]) =>
    version >= 302 && value !== undefined ? `${name}=${value}` : name,
  );
}

// CAP LS [version] | CAP LIST | CAP REQ :<caps> | CAP END
export function cap(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const sub = (msg.params[0] ?? "").toUpperCase();
  const nick = core.nick ?? "*";
  switch (sub) {
    case "LS": {
      if (!core.registered) irc.capNegotiating = true;
      const v = Number(msg.params[1] ?? "0");
      if (Number.isFinite(v) && v > irc.capVersion) irc.capVersion = v;
      if (irc.capVersion >= 302) core.setCaps(["cap-notify"], []);
      // CAP 302 continuation: split long lists over several lines marked with "*".
      const chunks: string[] = [];
      let cur = "";
      for (const c of capList(irc.capVersion)) {
        if (cur !== "" && cur.length + c.length > 380) {
          chunks.push(cur);
          cur = "";
        }
        cur = cur === "" ? c : `${cur} ${c}`;
      }
      chunks.push(cur);
      chunks.forEach((chunk, i) => {
        const more = i < chunks.length - 1 && irc.capVersion >= 302;
        irc.msg("CAP", more ? [nick, "LS", "*", chunk] : [nick, "LS", chunk]);
      });
      return;
    }
    case "LIST":
      irc.msg("CAP", [nick, "LIST", core.capList().join(" ")]);
      return;
    case "REQ": {
      if (!core.registered) irc.capNegotiating = true;
      const wanted = (msg.params[1] ?? "").split(" ").filter((c) => c !== "");
      // cap-notify is implied by CAP LS 302 and then "servers MUST NOT disable" it.
      const keepsNotify = irc.capVersion >= 302;
      const ok = wanted.every(
        (c) =>
          Object.hasOwn(CAPABILITIES, c.startsWith("-") ? c.slice(1) : c) &&
          !(keepsNotify && c === "-cap-notify"),
      );
      if (!ok || wanted.length === 0) {
        irc.msg("CAP", [nick, "NAK", msg.params[1] ?? ""]);
        return;
      }
      core.setCaps(
        wanted.filter((c) => !c.startsWith("-")),
        wanted.filter((c) => c.startsWith("-")).map((c) => c.slice(1)),
      );
      irc.msg("CAP", [nick, "ACK", wanted.join(" ")]);
      return;
    }
    case "END":
      if (core.registered) return;
      irc.capNegotiating = false;
      tryRegister(ctx);
      return;
    default:
      irc.reply(ERR.INVALIDCAPCMD, sub === "" ? "*" : sub, "Invalid CAP command");
  }
}

// PASS <password>
export function pass(ctx: CommandContext, msg: IrcMessage): void {
  if (ctx.core.registered) throw new ChatError("alreadyRegistered");
  ctx.irc.password = msg.params[0];
}

// NICK <nickname>
export function nick(ctx: CommandContext, msg: IrcMessage): void {
  ctx.core.setNick(msg.params[0] ?? "");
  if (!ctx.core.registered) tryRegister(ctx);
}

// USER <username> <mode> <unused> :<realname>
export function user(ctx: CommandContext, msg: IrcMessage): void {
  // An empty username or realname is a missing parameter (modern.ircdocs.horse: USER).
  if (!ctx.core.registered && (msg.params[0] === "" || msg.params[3] === "")) {
    ctx.irc.reply(ERR.NEEDMOREPARAMS, "USER", "Not enough parameters");
    return;
  }
  ctx.core.setUser(msg.params[0] ?? "", msg.params[3] ?? "");
  tryRegister(ctx);
}

/** Finish registration once NICK and USER are in and CAP negotiation (if any) ended. */
function tryRegister(ctx: CommandContext): void {
  const { core, irc } = ctx;
  if (core.registered || irc.capNegotiating) return;
  abortSasl(irc);
  if (core.register(irc.password) === "registered") welcome(ctx);
}

function welcome(ctx: CommandContext): void {
  const { core, irc } = ctx;
  const server = core.server;
  irc.reply(RPL.WELCOME, `Welcome to the ${server.network} IRC network, ${core.prefix}`);
  irc.reply(RPL.YOURHOST, `Your host is ${server.name}, running version ${server.version}`);
  irc.reply(RPL.CREATED, `This server was created ${new Date(server.createdAt).toUTCString()}`);
  irc.reply(RPL.MYINFO, server.name, server.version, "Biow", "CIbeiklmnopstv", "Ibeklov");
  sendIsupport(ctx);
  lusers(ctx);
  motd(ctx);
}

// PING <token>
export function ping(ctx: CommandContext, msg: IrcMessage): void {
  ctx.irc.msg("PONG", [ctx.core.server.name, msg.params[0] ?? ""]);
}

// PONG [<server>] <token>
export function pong(_ctx: CommandContext, _msg: IrcMessage): void {
  // Any line already reset the idle clock and the pending PING; nothing more to do.
}

// QUIT [<reason>]
export function quit(ctx: CommandContext, msg: IrcMessage): void {
  ctx.core.quit(msg.params[0] ?? "Client quit");
}
