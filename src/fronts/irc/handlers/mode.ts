/**
 * MODE for channels (+b +i +k +l +m +n +o +t +v) and users (+i +w, -o).
 */
import type { ModeChange } from "../../../core/api.ts";
import { ChatError } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";

/** Modes that take a parameter when set (+) and when unset (-). */
const PARAM_ON_SET: ReadonlySet<string> = new Set(["b", "k", "l", "o", "v"]);
const PARAM_ON_UNSET: ReadonlySet<string> = new Set(["b", "k", "o", "v"]);

// MODE <target> [<modestring> [<mode arguments>...]]
export function mode(ctx: CommandContext, msg: IrcMessage): void {
  const target = msg.params[0] as string;
  if (target.startsWith("#")) channelMode(ctx, target, msg.params.slice(1));
  else userMode(ctx, target, msg.params[1]);
}

function channelMode(ctx: CommandContext, name: string, args: string[]): void {
  const { core, irc } = ctx;
  const view = core.channelModes(name);
  const modestring = args[0];
  if (modestring === undefined) {
    irc.reply(RPL.CHANNELMODEIS, view.channel, ...view.modes);
    irc.reply(RPL.CREATIONTIME, view.channel, String(Math.floor(view.created / 1000)));
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
            [view.channel, m, "*"],
            `You must specify a parameter for the ${m} mode`,
          ),
        );
        continue;
      }
      if (++paramModes > core.server.limits.maxModesPerCommand) break;
      changes.push(param === undefined ? { sign, mode: m } : { sign, mode: m, param });
    } else {
      changes.push({ sign, mode: m });
    }
  }
  if (listBans) banList(ctx, name);
  if (changes.length > 0) core.setModes(name, changes);
}

function banList(ctx: CommandContext, name: string): void {
  const { channel, bans } = ctx.core.banList(name);
  for (const b of bans) {
    ctx.irc.reply(RPL.BANLIST, channel, b.mask, b.setBy, String(Math.floor(b.setAt / 1000)));
  }
  ctx.irc.reply(RPL.ENDOFBANLIST, channel, "End of channel ban list");
}

function userMode(ctx: CommandContext, nick: string, modestring: string | undefined): void {
  const { core, irc } = ctx;
  const { applied, unknown } = core.setUserModes(nick, modestring ?? "");
  if (modestring === undefined) {
    irc.reply(RPL.UMODEIS, core.userModes());
    return;
  }
  if (unknown) irc.error(new ChatError("umodeUnknownFlag"));
  if (applied !== "") irc.msg("MODE", [core.nick ?? "*", applied], core.prefix);
}
