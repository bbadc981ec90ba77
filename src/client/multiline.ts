/**
 * draft/multiline on the client: a pasted block sent as one BATCH (when the
 * server offers the cap, with batch and echo-message so delivery is seen),
 * and a received BATCH put back together as one PRIVMSG for the handlers.
 * Pure.
 */
import { foldCase } from "../protocol/casemap.ts";
import { type IrcMessage, message } from "../protocol/message.ts";
import { clipBytes } from "../protocol/text.ts";
import type { ClientState } from "./state.ts";
import { textBudget } from "./text.ts";

/** The server's draft/multiline limits from its CAP value (`max-bytes=N,max-lines=N`). */
export function multilineLimits(state: ClientState): { maxBytes: number; maxLines: number } {
  const out = { maxBytes: Number.POSITIVE_INFINITY, maxLines: Number.POSITIVE_INFINITY };
  for (const token of (state.capValues.get("draft/multiline") ?? "").split(",")) {
    const [key, value] = token.split("=");
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) continue;
    if (key === "max-bytes") out.maxBytes = n;
    if (key === "max-lines") out.maxLines = n;
  }
  return out;
}

/**
 * Whether a block can go as one message: the cap, batch, echo-message to see it
 * arrive, and (given the lines) within the server's limits.
 */
export function canSendMultiline(
  state: ClientState,
  paste?: { target: string; lines: readonly string[] },
): boolean {
  const capable =
    state.caps.has("draft/multiline") && state.caps.has("batch") && state.caps.has("echo-message");
  if (!capable || paste === undefined) return capable;
  const { lines } = paste;
  const budget = textBudget(state.nick, paste.target);
  const { maxBytes, maxLines } = multilineLimits(state);
  // One line feed joins each pair of lines; the server counts them too.
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0) + lines.length - 1;
  // A long line goes in several pieces: count them against max-lines as the server will.
  const pieces = lines.reduce(
    (n, l) => n + Math.max(1, Math.ceil(Buffer.byteLength(l) / budget)),
    0,
  );
  return bytes <= maxBytes && pieces <= maxLines;
}

/**
 * The lines of one multiline message: BATCH open, one PRIVMSG per line (a
 * long one cut into pieces joined by draft/multiline-concat), BATCH close.
 */
export function multilineMessages(
  state: ClientState,
  target: string,
  lines: readonly string[],
  ref: string,
): IrcMessage[] {
  const budget = textBudget(state.nick, target);
  const out = [message("BATCH", [`+${ref}`, "draft/multiline", target])];
  for (const raw of lines) {
    let rest = raw.replace(/[\0\r\n]/g, " ");
    let concat = false;
    do {
      const piece = clipBytes(rest, budget);
      const tags = new Map([["batch", ref]]);
      if (concat) tags.set("draft/multiline-concat", "");
      out.push(message("PRIVMSG", [target, piece], { tags }));
      rest = rest.slice(piece.length);
      concat = true;
    } while (rest !== "");
  }
  out.push(message("BATCH", [`-${ref}`]));
  return out;
}

/**
 * A received line that belongs to a draft/multiline batch: "held" while the
 * batch is open, and at its close one PRIVMSG carrying the whole text (with
 * the BATCH line's source and tags). Undefined for any other line.
 */
export function collectMultiline(
  state: ClientState,
  msg: IrcMessage,
): IrcMessage | "held" | undefined {
  if (msg.command === "BATCH") {
    const param = msg.params[0] ?? "";
    const ref = param.slice(1);
    if (param.startsWith("+") && msg.params[1] === "draft/multiline") {
      state.multiline.set(ref, { open: msg, text: "", lines: 0 });
      return "held";
    }
    const open = param.startsWith("-") ? state.multiline.get(ref) : undefined;
    if (open === undefined) return undefined;
    state.multiline.delete(ref);
    const target = open.open.params[2] ?? "";
    const whole: IrcMessage = message("PRIVMSG", [target, open.text], { tags: open.open.tags });
    if (open.open.source !== undefined) whole.source = open.open.source;
    return whole;
  }
  const ref = msg.tags.get("batch");
  const open = ref === undefined ? undefined : state.multiline.get(ref);
  if (open === undefined) return undefined;
  if (
    msg.command !== "PRIVMSG" ||
    foldCase(msg.params[0] ?? "") !== foldCase(open.open.params[2] ?? "")
  )
    return "held";
  const text = msg.params[1] ?? "";
  const concat = msg.tags.has("draft/multiline-concat");
  open.text = open.lines === 0 ? text : concat ? open.text + text : `${open.text}\n${text}`;
  open.lines++;
  return "held";
}
