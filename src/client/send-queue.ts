/**
 * Outbound bytes for one socket. Bun's Socket.write may take only part of the
 * data (it returns how much) and fires `drain` later, so whatever it did not
 * take waits here, in order, until flush() is called from `drain`.
 */

export interface ByteSink {
  /** Bytes accepted (possibly fewer than given), or -1 once closed. */
  write(data: Uint8Array): number;
}

export class SendQueue {
  private chunks: Uint8Array[] = [];
  private queued = 0;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    /** A client never needs this much in flight; past it the link is hopeless. */
    private readonly maxBytes = 4 * 1024 * 1024,
  ) {}

  get pending(): number {
    return this.queued;
  }

  /** Queue and try to write; false when closed or the queue would overflow. */
  enqueue(data: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.queued + data.length > this.maxBytes) return false;
    this.chunks.push(data);
    this.queued += data.length;
    if (this.chunks.length === 1) this.flush();
    return !this.closed;
  }

  /** Write as much as the socket takes now; call again on `drain`. */
  flush(): void {
    while (this.chunks.length > 0 && !this.closed) {
      const head = this.chunks[0] as Uint8Array;
      const n = this.sink.write(head);
      if (n < 0) {
        this.close();
        return;
      }
      this.queued -= n;
      if (n < head.length) {
        this.chunks[0] = head.subarray(n);
        return;
      }
      this.chunks.shift();
    }
  }

  close(): void {
    this.closed = true;
    this.chunks = [];
    this.queued = 0;
  }
}
