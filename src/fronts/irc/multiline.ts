/**
 * draft/multiline (https://ircv3.net/specs/extensions/multiline): the lines
 * of a client's `BATCH +ref draft/multiline <target>` collected until
 * `BATCH -ref`, then sent as one message. One batch open at a time per
 * connection; a batch that broke a rule is failed once and its remaining
 * lines are swallowed, so none of them is delivered as a message of its own.
 * Pure: the front owns one per connection.
 */
import { foldCase } from "../../protocol/casemap.ts";
import type { IrcMessage } from "../../protocol/message.ts";
import { byteLength } from "../../protocol/text.ts";

export const MULTILINE_MAX_BYTES = 4096;
export const MULTILINE_MAX_LINES = 32;
/** The CAP LS value: the limits a client must keep to. */
export const MULTILINE_CAP_VALUE = `max-bytes=${MULTILINE_MAX_BYTES},max-lines=${MULTILINE_MAX_LINES}`;

/** A standard reply for `FAIL BATCH <code> <params...> :<text>`. */
export interface BatchFail {
  code: string;
  params: string[];
  text: string;
}

export interface Collected {
  target: string;
  text: string;
  tags: [string, string][] | undefined;
}

interface Open {
  ref: string;
  target: string;
  tags: [string, string][] | undefined;
  text: string;
  lines: number;
  failed: boolean;
}

const invalid = (text: string): BatchFail => ({ code: "MULTILINE_INVALID", params: [], text });

export class MultilineBatches {
  private open: Open | undefined;

  /** Whether `ref` is the batch being collected (its lines belong here). */
  has(ref: string): boolean {
    return this.open?.ref === ref;
  }

  start(ref: string, target: string, tags: [string, string][] | undefined): BatchFail | undefined {
    if (this.open !== undefined) return invalid("A multiline batch is already open");
    if (ref === "" || target === "") return invalid("Invalid multiline batch");
    this.open = { ref, target, tags, text: "", lines: 0, failed: false };
    return undefined;
  }

  /** One line of the open batch; a failure is reported once, for the first bad line. */
  add(msg: IrcMessage): BatchFail | undefined {
    const b = this.open;
    if (b === undefined || b.failed) return undefined;
    const fail = this.check(b, msg);
    if (fail !== undefined) b.failed = true;
    return fail;
  }

  private check(b: Open, msg: IrcMessage): BatchFail | undefined {
    if (msg.command !== "PRIVMSG") return invalid("Only PRIVMSG may be in a multiline batch");
    const target = msg.params[0] ?? "";
    if (foldCase(target) !== foldCase(b.target))
      return {
        code: "MULTILINE_INVALID_TARGET",
        params: [b.target, target],
        text: "Invalid multiline target",
      };
    const text = msg.params[1] ?? "";
    const concat = msg.tags.has("draft/multiline-concat");
    if (concat && text === "") return invalid("A blank line may not be concatenated");
    if (++b.lines > MULTILINE_MAX_LINES)
      return {
        code: "MULTILINE_MAX_LINES",
        params: [String(MULTILINE_MAX_LINES)],
        text: "Multiline batch max-lines exceeded",
      };
    b.text = b.lines === 1 ? text : concat ? b.text + text : `${b.text}\n${text}`;
    if (byteLength(b.text) > MULTILINE_MAX_BYTES)
      return {
        code: "MULTILINE_MAX_BYTES",
        params: [String(MULTILINE_MAX_BYTES)],
        text: "Multiline batch max-bytes exceeded",
      };
    return undefined;
  }

  /** `BATCH -ref`: the whole message, nothing for a failed batch, or why it cannot be sent. */
  finish(ref: string): Collected | BatchFail | undefined {
    const b = this.open;
    if (b === undefined || b.ref !== ref) return invalid("No such multiline batch is open");
    this.open = undefined;
    if (b.failed) return undefined;
    if (b.text.replace(/\n/g, "").trim() === "") return invalid("A multiline message needs text");
    return { target: b.target, text: b.text, tags: b.tags };
  }
}
