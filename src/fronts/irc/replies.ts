/**
 * The reply buffer of one command: numerics and lines the handler writes, and
 * whatever the core sends this connection meanwhile (its own JOIN, an echo),
 * in order, written once when the command ends. So a command's replies never
 * interleave with a later command's, and labeled-response can wrap them.
 */
import { frameBatch, withTag } from "./batch.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How a labeled command's reply is framed (https://ircv3.net/specs/extensions/labeled-response). */
export interface LabelFrame {
  /** The `label=...` tag, value escaped. */
  tag: string;
  server: string;
  /** The client negotiated `batch`: a reply of several lines is a labeled-response batch. */
  batch: boolean;
  /** A fresh batch reference, asked for only when one is needed. */
  ref: () => string;
}

export class ReplyBuffer {
  private parts: (string | Uint8Array)[] = [];

  /** `label`: the command was labeled, so its reply is framed as labeled-response says. */
  constructor(private readonly label?: LabelFrame) {}

  line(line: string): void {
    this.parts.push(line);
  }

  bytes(bytes: Uint8Array): void {
    this.parts.push(bytes);
  }

  /** Hand everything to `write` in order (lines joined into one chunk per run) and empty the buffer. */
  flush(write: (bytes: Uint8Array) => void): void {
    if (this.label !== undefined) {
      write(encoder.encode(this.labeled(this.label)));
      return;
    }
    const parts = this.parts;
    if (parts.length === 0) return;
    this.parts = [];
    let text = "";
    for (const p of parts) {
      if (typeof p === "string") {
        text += `${p}\r\n`;
        continue;
      }
      if (text !== "") {
        write(encoder.encode(text));
        text = "";
      }
      write(p);
    }
    if (text !== "") write(encoder.encode(text));
  }

  /**
   * No reply: ACK. One line: that line with the label. More: a labeled-response
   * batch, or without `batch` the label on the first line only (as the spec allows).
   * Only labeled commands pay for decoding the shared event bytes.
   */
  private labeled(label: LabelFrame): string {
    const lines: string[] = [];
    for (const p of this.parts) {
      if (typeof p === "string") lines.push(p);
      else for (const l of decoder.decode(p).split("\r\n")) if (l !== "") lines.push(l);
    }
    this.parts = [];
    let out: string[];
    if (lines.length === 0) out = [`@${label.tag} :${label.server} ACK`];
    else if (lines.length === 1 || !label.batch) {
      out = lines;
      out[0] = withTag(out[0] as string, label.tag);
    } else out = frameBatch(label.server, label.ref(), "labeled-response", [], lines, label.tag);
    return `${out.join("\r\n")}\r\n`;
  }
}
