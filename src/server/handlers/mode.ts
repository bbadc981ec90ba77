/**
 * MODE for channels (+b +i +k +l +m +n +o +t +v) and users (+i +w, -o).
 */
import { foldCase, sameName } from "../../protocol/casemap.ts";
import type { IrcMessage } from "../../protocol/message.ts";
import { RPL } from "../../protocol/numerics.ts";
import type { Channel } from "../channel.ts";
import { ChatError } from "../errors.ts";
import type { CommandContext } from "../irc-front.ts";
import type { ModeChange } from "../server.ts";

/** Modes that take a parameter when set (+) and when unset (-). */
const PARAM_ON_SET = new Set(["b", "k", "l", "o", "v"]);
const PARAM_ON_UNSET = new Set(["b", "k", "o", "v"]);
/** Parameter modes applied per command, as ISUPPORT MODES says. */
const MAX_PARAM_MODES = 4;

// MODE <target> [<modestring> [<mode arguments>...]]
export function mode(ctx: CommandContext, msg: IrcMessage): void {
  const target = msg.params[0] as string;
  if (target.startsWith("#")) channelMode(ctx, target, msg.params.slice(1));
  else userMode(ctx, target, msg.params[1]);
}

function channelMode(ctx: CommandContext, name: string, args: string[]): void {
  const { server, session: s, irc } = ctx;
  const ch = server.getChannel(name);
  if (ch === undefined) throw new ChatError("noSuchChannel", [name]);
  const modestring = args[0];
  if (modestring === undefined) {
    irc.reply(RPL.CHANNELMODEIS, ch.name, ...ch.modeString(ch.members.has(s)));
    irc.reply(RPL.CREATIONTIME, ch.name, String(Math.floor(ch.created / 1000)));
    return;
  }
  const changes: ModeChange[] = [];
  let sign: "+" | "-" = "+";
  let argi = 1;
  let paramModes = 0;
  let listBans = false;
  for (const m of modestring) {
    if (m === "+" || m === "-") {
      sign = m;
      continue;
    }
    const needs = sign === "+" ? PARAM_ON_SET.has(m) : PARAM_ON_UNSET.has(m);
    if (m === "b" && args[argi] === undefined) {
      listBans = true;
      continue;
    }
    if (needs) {
      const param = args[argi++];
      // A -k without its key is accepted; other parameter modes need theirs.
      if (param === undefined && !(m === "k" && sign === "-")) {
        // Silence here left clients waiting for a MODE that never came; InspIRCd says 696.
        irc.error(
          new ChatError(
            "invalidModeParam",
            [ch.name, m, "*"],
            `You must specify a parameter for the ${m} mode`,
          ),
        );
        continue;
      }
      if (++paramModes > MAX_PARAM_MODES) break;
      changes.push(param === undefined ? { sign, mode: m } : { sign, mode: m, param });
    } else {
      changes.push({ sign, mode: m });
    }
  }
  if (listBans) banList(ctx, ch);
  if (changes.length === 0) return;
  server.applyChannelModes(s, ch, changes);
}

function banList(ctx: CommandContext, ch: Channel): void {
  for (const b of ch.bans) {
    ctx.irc.reply(RPL.BANLIST, ch.name, b.mask, b.setBy, String(Math.floor(b.setAt / 1000)));
  }
  ctx.irc.reply(RPL.ENDOFBANLIST, ch.name, "End of channel ban list");
}

function userMode(ctx: CommandContext, nick: string, modestring: string | undefined): void {
  const { server, session: s, irc } = ctx;
  if (s.nick === undefined || !sameName(nick, s.nick)) {
    if (server.nicks.has(foldCase(nick))) throw new ChatError("usersDontMatch");
    throw new ChatError("noSuchNick", [nick]);
  }
  if (modestring === undefined) {
    irc.reply(RPL.UMODEIS, `+${[...s.umodes].sort().join("")}`);
    return;
  }
  let sign = "+";
  let applied = "";
  let lastSign = "";
  let unknown = false;
  for (const m of modestring) {
    if (m === "+" || m === "-") {
      sign = m;
      continue;
    }
    if (m === "i" || m === "w" || (m === "o" && sign === "-")) {
      const has = s.umodes.has(m);
      if (sign === "+" && !has) s.addUmode(m);
      else if (sign === "-" && has) s.deleteUmode(m);
      else continue;
      if (m === "o") s.oper = false;
      if (sign !== lastSign) applied += sign;
      lastSign = sign;
      applied += m;
    } else if (m !== "o") {
      unknown = true;
    }
  }
  if (unknown) irc.error(new ChatError("umodeUnknownFlag"));
  if (applied !== "") irc.msg("MODE", [s.nick, applied], s.prefix);
}
