/**
 * Answers out on one admin connection. A socket write takes only what the
 * kernel has room for, and a `users` answer on a busy server is megabytes, so
 * what is not taken waits for `drain`, in order. A client that stops reading
 * is cut off past a cap instead of growing the server's memory.
 */
export interface PartialSink {
  /** Bytes taken (maybe fewer than given), or -1 when closed. */
  write(data: Uint8Array): number;
  end(): void;
}

export class LineWriter {
  private pending: Uint8Array[] = [];
  private queued = 0;
  private dead = false;

  constructor(
    private readonly sink: PartialSink,
    private readonly capBytes: number,
  ) {}

  /** Queue `data` behind what waits; false (and the connection ended) past the cap. */
  send(data: Uint8Array): boolean {
    if (this.dead) return false;
    if (this.pending.length === 0) {
      const n = this.sink.write(data);
      if (n < 0) return this.kill();
      if (n === data.length) return true;
      data = data.subarray(n);
    }
    if (this.queued + data.length > this.capBytes) return this.kill();
    this.pending.push(data);
    this.queued += data.length;
    return true;
  }

  /** The socket can take more. */
  drain(): void {
    while (!this.dead && this.pending.length > 0) {
      const head = this.pending[0] as Uint8Array;
      const n = this.sink.write(head);
      if (n < 0) {
        this.kill();
        return;
      }
      this.queued -= Math.max(0, n);
      if (n < head.length) {
        this.pending[0] = head.subarray(n);
        return;
      }
      this.pending.shift();
    }
  }

  get queuedBytes(): number {
    return this.queued;
  }

  private kill(): false {
    this.dead = true;
    this.pending = [];
    this.queued = 0;
    this.sink.end();
    return false;
  }
}
