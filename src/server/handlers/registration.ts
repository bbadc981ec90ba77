/**
 * Registration family: CAP, PASS, NICK, USER, PING, PONG, QUIT, and the welcome
 * burst (001-005, LUSERS, MOTD) sent when registration completes.
 */
import { CASEMAPPING } from "../../protocol/casemap.ts";
import type { IrcMessage } from "../../protocol/message.ts";
import { ERR, RPL } from "../../protocol/numerics.ts";
import { clipBytes } from "../../protocol/text.ts";
import { notePasswordFailure } from "../../security/lockout.ts";
import { passwordAccepted } from "../../security/password.ts";
import { CAPABILITIES } from "../caps.ts";
import { ChatError } from "../errors.ts";
import type { CommandContext } from "../irc-front.ts";
import { HISTORY_ISUPPORT } from "./history.ts";
import { lusers, motd } from "./info.ts";

/**
 * Real names are cut to this many bytes (ISUPPORT NAMELEN, InspIRCd's default):
 * a 400-byte one pushed RPL_WHOREPLY and RPL_WHOISUSER past 512 bytes.
 */
const REALNAME_BYTES = 128;

function capList(version: number): string[] {
  return Object.entries(CAPABILITIES).map(([name, value]) =>
    version >= 302 && value !== undefined ? `${name}=${value}` : name,
  );
}

// CAP LS [version] | CAP LIST | CAP REQ :<caps> | CAP END
export function cap(ctx: CommandContext, msg: IrcMessage): void {
  const { session: s, irc } = ctx;
  const sub = (msg.params[0] ?? "").toUpperCase();
  const nick = s.nick ?? "*";
  switch (sub) {
    case "LS": {
      if (!s.registered) s.capNegotiating = true;
      const v = Number(msg.params[1] ?? "0");
      if (Number.isFinite(v) && v > s.capVersion) s.capVersion = v;
      if (s.capVersion >= 302) s.addCap("cap-notify");
      const caps = capList(s.capVersion);
      // CAP 302 continuation: split long lists over several lines marked with "*".
      const chunks: string[] = [];
      let cur = "";
      for (const c of caps) {
        if (cur !== "" && cur.length + c.length > 380) {
          chunks.push(cur);
          cur = "";
        }
        cur = cur === "" ? c : `${cur} ${c}`;
      }
      chunks.push(cur);
      chunks.forEach((chunk, i) => {
        const more = i < chunks.length - 1 && s.capVersion >= 302;
        irc.msg("CAP", more ? [nick, "LS", "*", chunk] : [nick, "LS", chunk]);
      });
      return;
    }
    case "LIST":
      irc.msg("CAP", [nick, "LIST", s.capList().join(" ")]);
      return;
    case "REQ": {
      if (!s.registered) s.capNegotiating = true;
      const wanted = (msg.params[1] ?? "").split(" ").filter((c) => c !== "");
      const ok = wanted.every((c) => {
        const name = c.startsWith("-") ? c.slice(1) : c;
        return Object.hasOwn(CAPABILITIES, name);
      });
      if (!ok || wanted.length === 0) {
        irc.msg("CAP", [nick, "NAK", msg.params[1] ?? ""]);
        return;
      }
      for (const c of wanted) {
        if (c.startsWith("-")) s.deleteCap(c.slice(1));
        else s.addCap(c);
      }
      s.updateVariant();
      irc.msg("CAP", [nick, "ACK", wanted.join(" ")]);
      return;
    }
    case "END":
      if (s.registered) return;
      s.capNegotiating = false;
      tryRegister(ctx);
      return;
    default:
      irc.reply("410", sub === "" ? "*" : sub, "Invalid CAP command");
  }
}

// PASS <password>
export function pass(ctx: CommandContext, msg: IrcMessage): void {
  if (ctx.session.registered) throw new ChatError("alreadyRegistered");
  ctx.session.password = msg.params[0];
}

// NICK <nickname>
export function nick(ctx: CommandContext, msg: IrcMessage): void {
  const wanted = msg.params[0] ?? "";
  ctx.server.setNick(ctx.session, wanted);
  if (!ctx.session.registered) tryRegister(ctx);
}

// USER <username> <mode> <unused> :<realname>
export function user(ctx: CommandContext, msg: IrcMessage): void {
  const s = ctx.session;
  if (s.registered) throw new ChatError("alreadyRegistered");
  const raw = (msg.params[0] ?? "").replace(/[^A-Za-z0-9._-]/g, "").slice(0, 10);
  s.user = `~${raw === "" ? "user" : raw}`;
  s.realname = clipBytes(msg.params[3] ?? "", REALNAME_BYTES);
  tryRegister(ctx);
}

/** Finish registration once NICK and USER are in and CAP negotiation (if any) ended. */
function tryRegister(ctx: CommandContext): void {
  const { server, session: s, irc } = ctx;
  if (s.registered || s.nick === undefined || s.user === "" || s.capNegotiating) return;
  // Constant-time: the time taken reveals neither the password nor its length.
  if (!passwordAccepted(server.password, s.password)) {
    notePasswordFailure(server, server.limits, s.conn.remoteAddress, server.now());
    irc.reply(ERR.PASSWDMISMATCH, "Password incorrect");
    server.disconnect(s, "Bad password");
    return;
  }
  server.completeRegistration(s);
  welcome(ctx);
}

/** ISUPPORT tokens; each one is true of what the server enforces. */
export function isupport(ctx: CommandContext): string[] {
  const l = ctx.server.limits;
  return [
    `AWAYLEN=${l.awayLen}`,
    `CASEMAPPING=${CASEMAPPING}`,
    `CHANLIMIT=#:${l.maxChannelsPerUser}`,
    "CHANMODES=b,k,l,imnt",
    `CHANNELLEN=${l.channelLen}`,
    "CHANTYPES=#",
    ...HISTORY_ISUPPORT,
    `KICKLEN=${l.kickLen}`,
    "MAXLIST=b:100",
    `MAXTARGETS=${l.maxTargets}`,
    "MODES=4",
    `NAMELEN=${REALNAME_BYTES}`,
    `NETWORK=${ctx.server.network}`,
    `NICKLEN=${l.nickLen}`,
    "PREFIX=(ov)@+",
    `TARGMAX=JOIN:${l.maxTargets},PART:${l.maxTargets},PRIVMSG:${l.maxTargets},NOTICE:${l.maxTargets},NAMES:${l.maxTargets},WHOIS:1,KICK:${l.maxTargets},TAGMSG:${l.maxTargets}`,
    `TOPICLEN=${l.topicLen}`,
  ];
}

function welcome(ctx: CommandContext): void {
  const { server, session: s, irc } = ctx;
  irc.reply(RPL.WELCOME, `Welcome to the ${server.network} IRC network, ${s.prefix}`);
  irc.reply(RPL.YOURHOST, `Your host is ${server.serverName}, running version ${server.version}`);
  irc.reply(RPL.CREATED, `This server was created ${new Date(server.createdAt).toUTCString()}`);
  irc.reply(RPL.MYINFO, server.serverName, server.version, "iow", "biklmnotv", "bklov");
  const tokens = isupport(ctx);
  for (let i = 0; i < tokens.length; i += 12) {
    irc.reply(RPL.ISUPPORT, ...tokens.slice(i, i + 12), "are supported by this server");
  }
  lusers(ctx);
  motd(ctx);
}

// PING <token>
export function ping(ctx: CommandContext, msg: IrcMessage): void {
  const token = msg.params[0] ?? "";
  ctx.irc.msg("PONG", [ctx.server.serverName, token]);
}

// PONG [<server>] <token>
export function pong(ctx: CommandContext, _msg: IrcMessage): void {
  // Any line already reset the idle clock; nothing more to do.
  ctx.session.pingSentAt = 0;
}

// QUIT [<reason>]
export function quit(ctx: CommandContext, msg: IrcMessage): void {
  ctx.server.quit(ctx.session, msg.params[0] ?? "Client quit");
}
