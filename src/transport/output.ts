/**
 * Coalesced output. Sessions enqueue bytes at any time; the scheduler flushes
 * ONCE per event-loop turn (or, right after a flush that wrote to many sockets,
 * on a 1 ms timer, so that under load each write carries more): it first runs the `beforeFlush` hook (the history
 * store commits, so whatever a client receives is durable), then writes every
 * dirty connection's pending bytes with a single `write`. A partial write keeps
 * the remainder and waits for `drain`. Each queue is capped in bytes.
 */
import type { ByteCounts } from "./conn.ts";

/** The minimal socket surface the queue needs (Bun's Socket fits it). */
export interface ByteSink {
  /** Bytes accepted (possibly fewer than given), or -1 once closed. */
  write(data: Uint8Array): number;
  end(): void;
}

const EMPTY = new Uint8Array(0);

/**
 * One scratch buffer for joining a socket's chunks before its single write.
 * Sinks copy or write synchronously (Bun's write is unbuffered; the TLS layer
 * copies with Buffer.from), so it is reused for every socket: no allocation and
 * no zero-fill per socket per turn. Grows to the largest flush seen.
 */
let scratch = new Uint8Array(64 * 1024);

export class SendQueue {
  /**
   * Pending chunks not yet handed to the socket, oldest first. Undefined while
   * empty: an idle connection then holds no array at all.
   */
  private chunks: Uint8Array[] | undefined;
  private bytes = 0;
  /** Set while the socket refused bytes and we wait for `drain`. */
  blocked = false;
  dirty = false;
  closing = false;
  /** The sink was ended or failed: nothing more is written. */
  ended = false;
  overflowed = false;

  constructor(
    /** Where bytes go; a TCP connection swaps in its TLS session once the handshake starts. */
    protected sink: ByteSink,
    protected readonly scheduler: FlushScheduler,
    readonly capBytes: number,
    protected readonly counts?: ByteCounts,
  ) {}

  get queuedBytes(): number {
    return this.bytes;
  }

  /** Returns false if the cap was exceeded (the caller closes the connection). */
  push(data: Uint8Array): boolean {
    if (this.ended || this.closing) return true;
    if (this.bytes + data.length > this.capBytes) {
      this.overflowed = true;
      return false;
    }
    this.append(data);
    this.wake();
    return true;
  }

  /** Drop everything queued (used on overflow, before the final ERROR line). */
  discard(): void {
    this.chunks = undefined;
    this.bytes = 0;
  }

  /** Close after the queue drains (or right now, if the socket is blocked for good). */
  closeAfterFlush(lastWords?: Uint8Array): void {
    if (this.ended || this.closing) return;
    if (lastWords !== undefined && lastWords.length > 0) this.append(lastWords);
    this.closing = true;
    this.wake();
  }

  private append(data: Uint8Array): void {
    if (this.chunks === undefined) this.chunks = [data];
    else this.chunks.push(data);
    this.bytes += data.length;
  }

  /** Ask for a flush, unless one is already due or the socket's drain will bring it. */
  private wake(): void {
    if (!this.dirty && !this.blocked) {
      this.dirty = true;
      this.scheduler.markDirty(this);
    }
  }

  /** Write everything pending in one call. Called by the scheduler and on drain. */
  flush(): void {
    this.dirty = false;
    if (this.ended) return;
    if (this.bytes > 0) {
      const single = this.chunks?.length === 1;
      const data = this.concat();
      const n = this.sink.write(data);
      if (n < 0) {
        this.markClosed();
        return;
      }
      if (this.counts !== undefined) this.counts.bytesOut += n;
      if (n < data.length) {
        // Keep the remainder as one chunk: a view of a lone chunk, a copy out of scratch.
        this.chunks = [single ? data.subarray(n) : data.slice(n)];
        this.bytes = data.length - n;
        this.blocked = true;
        return;
      }
      this.chunks = undefined;
      this.bytes = 0;
    }
    this.blocked = false;
    if (this.closing) {
      this.markClosed();
      this.sink.end();
    }
  }

  /** The socket can take more bytes. */
  drained(): void {
    if (!this.blocked) return;
    this.blocked = false;
    // Bytes queued while blocked may carry messages appended since the last
    // turn's commit: commit history first, or a kill -9 could lose a seen message.
    this.scheduler.commit();
    this.flush();
  }

  /** Give up on a sink that failed: drop the queue and try to close the socket. */
  abort(): void {
    this.markClosed();
    try {
      this.sink.end();
    } catch {
      // Already unusable; the transport's close callback (or ping timeout) reports it.
    }
  }

  markClosed(): void {
    this.ended = true;
    this.chunks = undefined;
    this.bytes = 0;
  }

  private concat(): Uint8Array {
    const chunks = this.chunks;
    if (chunks === undefined || chunks.length === 0) return EMPTY;
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    if (scratch.length < this.bytes) {
      scratch = new Uint8Array(Math.max(this.bytes, scratch.length * 2));
    }
    const out = scratch;
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out.subarray(0, off);
  }
}

/**
 * Above this many sockets written in one flush, the next flush waits for a 1 ms
 * timer instead of the next turn: under fan-out load each write then carries
 * more messages, and the send syscalls (most of the server's CPU) become fewer.
 * Measured in bench/findings.md item 1; it costs at most ~1 ms, only while busy.
 */
export const BUSY_FLUSH_SOCKETS = 64;

/** What the scheduler flushes: a socket's queue, or a WebSocket server's ordered log. */
export interface Flushable {
  flush(): void;
  /** The flush threw: give up on what it holds. */
  abort(): void;
  /** How many sockets it writes to (the load signal); absent: one. */
  readonly sockets?: number;
}

export class FlushScheduler {
  private dirty: Flushable[] = [];
  private scheduled = false;
  /** How many sockets the previous flush wrote to: the load signal. */
  private lastFlushed = 0;
  /** Counts flushes: what is cached for one flush (a chunk's lines) is keyed by it. */
  turn = 0;

  /** `beforeFlush` runs once per turn before any byte is written: the store commits there. */
  constructor(private readonly beforeFlush: () => void = () => {}) {}

  markDirty(q: Flushable): void {
    this.dirty.push(q);
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.lastFlushed > BUSY_FLUSH_SOCKETS) setTimeout(this.run, 1);
      else setImmediate(this.run);
    }
  }

  /** Run the `beforeFlush` hook (history commit) now; a no-op when nothing is buffered. */
  commit(): void {
    try {
      this.beforeFlush();
    } catch (err) {
      // A failing store must not silence the server; it reports its own errors.
      console.error(`chat: history flush failed: ${String(err)}`);
    }
  }

  /** Flush now (also used at shutdown). */
  readonly run = (): void => {
    this.scheduled = false;
    this.turn++;
    if (this.dirty.length === 0) {
      this.lastFlushed = 0;
      return;
    }
    let sockets = 0;
    for (const q of this.dirty) sockets += q.sockets ?? 1;
    this.lastFlushed = sockets;
    this.commit();
    const list = this.dirty;
    this.dirty = [];
    for (const q of list) {
      try {
        q.flush();
      } catch (err) {
        // One broken socket must not keep the others' output waiting.
        q.abort();
        console.error(`chat: write failed, connection dropped: ${String(err)}`);
      }
    }
  };
}
