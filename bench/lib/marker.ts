/**
 * The timestamp marker senders put in every benchmark message, and the scanner receivers run
 * over raw socket bytes. Scanning for "%%" instead of parsing IRC keeps one worker process able
 * to count millions of deliveries per second; the format survives any prefix a server adds
 * (IRC tags and source, or a plain-text "12:01 <nick> " line).
 *
 * Format: `%%<step>S<sender id>T<send time, µs since the epoch>`.
 */

const MARKER = Buffer.from("%%");
const PING = Buffer.from("PING ");
const ERROR = Buffer.from("ERROR ");
const NL = 10;
/** A partial line longer than this cannot be one of ours: drop it rather than grow forever. */
const MAX_CARRY = 65536;

export function formatMarker(step: number, sender: number, sentUs: number): string {
  return `%%${step}S${sender}T${sentUs}`;
}

export interface MarkerSink {
  marker(step: number, sender: number, sentUs: number): void;
  /** A PING line from the server; `arg` is everything after "PING ". */
  ping(arg: string): void;
  /** An ERROR line (the server's last words before it closes the connection). */
  error(line: string): void;
}

export class MarkerScanner {
  private carry: Buffer | null = null;
  /** Where the last parseDigits stopped (a field, not a tuple: no allocation per marker). */
  private at = 0;

  constructor(private readonly sink: MarkerSink) {}

  /** Feeds raw bytes; only complete lines are scanned, a partial last line waits for the rest. */
  feed(chunk: Buffer): void {
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl === -1) {
      const c = this.carry ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk);
      this.carry = c.length > MAX_CARRY ? null : c;
      return;
    }
    let start = 0;
    if (this.carry) {
      const firstNl = chunk.indexOf(NL);
      const joined = Buffer.concat([this.carry, chunk.subarray(0, firstNl + 1)]);
      this.carry = null;
      this.scan(joined, 0, joined.length);
      start = firstNl + 1;
    }
    if (start <= lastNl) this.scan(chunk, start, lastNl + 1);
    if (lastNl + 1 < chunk.length) this.carry = Buffer.from(chunk.subarray(lastNl + 1));
  }

  /** Scans one whole line (a WebSocket message): no line breaks to find, nothing to carry. */
  line(buf: Buffer): void {
    this.scan(buf, 0, buf.length);
  }

  private digits(buf: Buffer, start: number, end: number): number {
    let v = 0;
    let i = start;
    while (i < end) {
      const c = buf[i] ?? 0;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    this.at = i;
    return v;
  }

  private scan(buf: Buffer, start: number, end: number): void {
    let pos = buf.indexOf(MARKER, start);
    while (pos !== -1 && pos < end) {
      const step = this.digits(buf, pos + 2, end);
      let i = this.at;
      if (i > pos + 2 && buf[i] === 83 /* S */) {
        const sender = this.digits(buf, i + 1, end);
        i = this.at;
        if (buf[i] === 84 /* T */) {
          const sentUs = this.digits(buf, i + 1, end);
          i = this.at;
          this.sink.marker(step, sender, sentUs);
        }
      }
      pos = buf.indexOf(MARKER, Math.max(i, pos + 2));
    }
    let p = buf.indexOf(PING, start);
    while (p !== -1 && p < end) {
      const lineEnd = buf.indexOf(NL, p);
      const stop = lineEnd === -1 || lineEnd > end ? end : lineEnd;
      // Only a PING command: at a line start, or right after a ":server " prefix.
      const prev = p > 0 ? buf[p - 1] : NL;
      if (prev === NL || prev === 32) {
        this.sink.ping(buf.toString("latin1", p + 5, stop).replace(/\r$/, ""));
      }
      p = buf.indexOf(PING, stop);
    }
    let e = buf.indexOf(ERROR, start);
    while (e !== -1 && e < end) {
      const lineEnd = buf.indexOf(NL, e);
      const stop = lineEnd === -1 || lineEnd > end ? end : lineEnd;
      const prev = e > 0 ? buf[e - 1] : NL;
      if (prev === NL || prev === 32) {
        this.sink.error(buf.toString("utf8", e, stop).replace(/\r$/, ""));
      }
      e = buf.indexOf(ERROR, stop);
    }
  }
}
