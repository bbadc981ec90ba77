/**
 * Line framing: bytes arriving in arbitrary chunks become complete lines.
 *
 * Lines end in LF (a preceding CR is dropped). Bytes are buffered until the line
 * is complete and only then decoded, so a multi-byte UTF-8 character split across
 * chunks arrives whole. Invalid UTF-8 becomes U+FFFD rather than an exception.
 * A line longer than the limit is reported once as `overlong` and its remaining
 * bytes are discarded up to the next LF, so memory per connection stays bounded.
 * The limit counts the line without its terminator, so CRLF and LF clients get
 * the same limit even when the CR and the LF arrive in different chunks.
 */

export type FrameEvent = { kind: "line"; line: string } | { kind: "overlong"; bytes: number };

/** IRC's 512 bytes for the message body plus 8191 for IRCv3 tags. */
export const DEFAULT_MAX_LINE_BYTES = 512 + 8191;

const LF = 10;
const CR = 13;
const decoder = new TextDecoder("utf-8", { fatal: false });

export class LineFramer {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** True while skipping the rest of an overlong line. */
  private discarding = false;
  private discardedBytes = 0;

  constructor(readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {}

  /** Feed one chunk; returns the events it completes, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.hold(chunk.subarray(start), events);
        break;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.discarding) {
        events.push({ kind: "overlong", bytes: this.discardedBytes + piece.length + 1 });
        this.discarding = false;
        this.discardedBytes = 0;
        continue;
      }
      const total = this.pendingBytes + piece.length;
      if (total - (this.endsWithCR(piece) ? 1 : 0) > this.maxLineBytes) {
        events.push({ kind: "overlong", bytes: total + 1 });
        this.pending = [];
        this.pendingBytes = 0;
        continue;
      }
      events.push({ kind: "line", line: this.takeLine(piece) });
    }
    return events;
  }

  /** Bytes held for an incomplete line (bounded by maxLineBytes). */
  get buffered(): number {
    return this.pendingBytes;
  }

  private hold(rest: Uint8Array, _events: FrameEvent[]): void {
    if (this.discarding) {
      this.discardedBytes += rest.length;
      return;
    }
    // One byte of slack: the held line may end in the CR of a CRLF split across chunks.
    if (this.pendingBytes + rest.length > this.maxLineBytes + 1) {
      // Report when the line finally ends; until then drop what arrives.
      this.discarding = true;
      this.discardedBytes = this.pendingBytes + rest.length;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // Copy: the caller may reuse its buffer after push returns.
    this.pending.push(rest.slice());
    this.pendingBytes += rest.length;
  }

  private endsWithCR(last: Uint8Array): boolean {
    if (last.length > 0) return last[last.length - 1] === CR;
    const held = this.pending[this.pending.length - 1];
    return held !== undefined && held[held.length - 1] === CR;
  }

  private takeLine(last: Uint8Array): string {
    let bytes: Uint8Array;
    if (this.pending.length === 0) {
      bytes = last;
    } else {
      bytes = new Uint8Array(this.pendingBytes + last.length);
      let off = 0;
      for (const p of this.pending) {
        bytes.set(p, off);
        off += p.length;
      }
      bytes.set(last, off);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    return decoder.decode(bytes.subarray(0, end));
  }
}
