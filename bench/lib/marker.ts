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

  /**
   * Scans WebSocket payloads of one chunk in one pass, as `feed` scans a chunk of lines: payload
   * i is `buf[starts[i], ends[i])`, for i in [from, to). A hit counts only inside one payload
   * (the frame headers between them are not text), and a marker's digits stop at its payload's
   * end.
   */
  frames(buf: Buffer, starts: Int32Array, ends: Int32Array, from: number, to: number): void {
    if (from >= to) return;
    const hi = ends[to - 1] as number;
    let f = from;
    let pos = buf.indexOf(MARKER, starts[from] as number);
    while (pos !== -1 && pos < hi) {
      while ((ends[f] as number) <= pos) f++;
      const start = starts[f] as number;
      if (pos < start) {
        pos = buf.indexOf(MARKER, start);
        continue;
      }
      pos = buf.indexOf(MARKER, this.markerAt(buf, pos, ends[f] as number));
    }
    for (const word of [PING, ERROR]) {
      f = from;
      let p = buf.indexOf(word, starts[from] as number);
      while (p !== -1 && p < hi) {
        while ((ends[f] as number) <= p) f++;
        const start = starts[f] as number;
        const end = ends[f] as number;
        if (p >= start && (p === start || buf[p - 1] === 32)) {
          if (word === PING) this.sink.ping(buf.toString("latin1", p + 5, end));
          else this.sink.error(buf.toString("utf8", p, end));
        }
        p = buf.indexOf(word, Math.max(p + 1, start));
      }
    }
  }

  /** Reads the marker at `pos` (digits bounded by `end`); returns where the search goes on. */
  private markerAt(buf: Buffer, pos: number, end: number): number {
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
    return Math.max(i, pos + 2);
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
    while (pos !== -1 && pos < end) pos = buf.indexOf(MARKER, this.markerAt(buf, pos, end));
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
