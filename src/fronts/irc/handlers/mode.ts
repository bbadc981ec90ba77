/**
 * MODE for channels (+b +e +I +i +k +l +m +n +o +t +v +s +p +C) and users (+i +w +B, -o).
 */
import type { ModeChange } from "../../../core/api.ts";
import { ChatError } from "../../../core/api.ts";
import type { IrcMessage } from "../../../protocol/message.ts";
import { RPL } from "../../../protocol/numerics.ts";
import type { CommandContext } from "../context.ts";

/** Modes that take a parameter when set (+) and when unset (-). */
const PARAM_ON_SET: ReadonlySet<string> = new Set(["b", "e", "I", "k", "l", "o", "v"]);
const PARAM_ON_UNSET: ReadonlySet<string> = new Set(["b", "e", "I", "k", "o", "v"]);

type ListMode = "b" | "e" | "I";

/** Each list mode's entry and end numerics, and the end line's text. */
const LISTS: Record<ListMode, { item: string; end: string; text: string }> = {
  b: { item: RPL.BANLIST, end: RPL.ENDOFBANLIST, text: "End of channel ban list" },
  e: { item: RPL.EXCEPTLIST, end: RPL.ENDOFEXCEPTLIST, text: "End of channel exception list" },
  I: { item: RPL.INVITELIST, end: RPL.ENDOFINVITELIST, text: "End of channel invite list" },
};

function isListMode(m: string): m is ListMode {
  return m === "b" || m === "e" || m === "I";
}

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
  const lists: ListMode[] = [];
  for (const m of modestring) {
    if (m === "+" || m === "-") {
      sign = m;
      continue;
    }
    const needs = sign === "+" ? PARAM_ON_SET.has(m) : PARAM_ON_UNSET.has(m);
    if (isListMode(m) && args[argi] === undefined) {
      if (!lists.includes(m)) lists.push(m);
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
  for (const m of lists) modeList(ctx, name, m);
  if (changes.length > 0) core.setModes(name, changes);
}

function modeList(ctx: CommandContext, name: string, mode: ListMode): void {
  const { channel, entries } = ctx.core.modeList(name, mode);
  const { item, end, text } = LISTS[mode];
  for (const b of entries) {
    ctx.irc.reply(item, channel, b.mask, b.setBy, String(Math.floor(b.setAt / 1000)));
  }
  ctx.irc.reply(end, channel, text);
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
