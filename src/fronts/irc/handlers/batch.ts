/**
 * Client-initiated batches: only draft/multiline (multiline.ts collects the
 * lines). Errors are standard replies, FAIL BATCH <code>, as the spec gives.
 */
import type { IrcMessage } from "../../../protocol/message.ts";
import type { CommandContext } from "../context.ts";
import type { BatchFail } from "../multiline.ts";
import { clientTags } from "./messaging.ts";

export function failBatch(ctx: CommandContext, f: BatchFail): void {
  ctx.irc.msg("FAIL", ["BATCH", f.code, ...f.params, f.text]);
}

// BATCH +<reference> draft/multiline <target>   |   BATCH -<reference>
export function batch(ctx: CommandContext, msg: IrcMessage): void {
  const { core, irc } = ctx;
  const [refParam = "", type = "", target = ""] = msg.params;
  const ref = refParam.slice(1);
  if (refParam.startsWith("+")) {
    if (type !== "draft/multiline" || !core.hasCap("draft/multiline") || !core.hasCap("batch")) {
      failBatch(ctx, {
        code: "MULTILINE_INVALID",
        params: [],
        text: "Only draft/multiline batches are accepted, after CAP REQ draft/multiline batch",
      });
      return;
    }
    const fail = irc.multiline.start(ref, target, clientTags(msg));
    if (fail !== undefined) failBatch(ctx, fail);
    return;
  }
  if (!refParam.startsWith("-")) {
    failBatch(ctx, { code: "MULTILINE_INVALID", params: [], text: "Invalid batch reference" });
    return;
  }
  const done = irc.multiline.finish(ref);
  if (done === undefined) return;
  if ("code" in done) {
    failBatch(ctx, done);
    return;
  }
  core.send("PRIVMSG", done.target, done.text, done.tags, true);
}
