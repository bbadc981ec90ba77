/**
 * The reply buffer of one command: numerics and lines the handler writes, and
 * whatever the core sends this connection meanwhile (its own JOIN, an echo),
 * in order, written once when the command ends. So a command's replies never
 * interleave with a later command's, and labeled-response can wrap them.
 */
const encoder = new TextEncoder();

export class ReplyBuffer {
  private parts: (string | Uint8Array)[] = [];

  line(line: string): void {
    this.parts.push(line);
  }

  bytes(bytes: Uint8Array): void {
    this.parts.push(bytes);
  }

  /** Hand everything to `write` in order (lines joined into one chunk per run) and empty the buffer. */
  flush(write: (bytes: Uint8Array) => void): void {
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
}
