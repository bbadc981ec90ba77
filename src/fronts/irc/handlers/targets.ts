/**
 * Comma-separated target lists, each target answered on its own.
 */
import { ChatError } from "../../../core/api.ts";
import type { CommandContext } from "../context.ts";

export function splitList(param: string | undefined): string[] {
  return (param ?? "").split(",").filter((t) => t !== "");
}

/** The targets of a list parameter, refused whole past TARGMAX. */
export function targetList(ctx: CommandContext, param: string | undefined): string[] {
  const list = splitList(param);
  const max = ctx.core.server.limits.maxTargets;
  if (list.length > max) throw new ChatError("tooManyTargets", [list[max] ?? "*"]);
  return list;
}

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
