/**
 * The load generator's own WebSocket client framing (RFC 6455, client side only).
 *
 * Why not Bun's `WebSocket`: it dispatches one MessageEvent (an object, an
 * ArrayBuffer, a callback) per message, and in the first round that cost
 * capped the generator's WebSocket clients well below what the server could
 * fan out (bench/findings.md). Reading frames straight off a Bun socket lets a
 * worker read the receive time once per chunk and scan each payload in place,
 * as its TCP clients do. The server keeps Bun's own WebSocket server; this
 * file only drives it.
 */

const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;
/** A frame bigger than this cannot be one IRC line: the peer is broken. */
const MAX_FRAME = 1 << 20;
const HEADER_END = Buffer.from("\r\n\r\n");

export interface FrameSink {
  /**
   * The data messages (text or binary, one IRC line each) of one chunk at once: payload i is
   * `buf[starts[i], ends[i])`, views valid only during the call. A receiver scanning a chunk in
   * one pass pays its per-call costs once per chunk, as its TCP clients do.
   */
  messages(buf: Buffer, starts: Int32Array, ends: Int32Array, count: number): void;
  /** The server's keep-alive ping; the reader has no socket, the caller answers. */
  ping(payload: Buffer): void;
  /** The upgrade was refused or the stream broke. */
  fail(why: string): void;
  /** The upgrade succeeded. */
  open(): void;
}

/** The upgrade request; no Origin header, as a non-browser client sends. */
export function upgradeRequest(host: string, port: number, protocol: string): string {
  return (
    `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
    `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`
  );
}

/**
 * A masked client frame. The mask key is all zeros, so the payload is copied
 * unchanged: RFC 6455 wants an unpredictable key to protect proxies, which a
 * loopback benchmark has none of, and the server cannot tell the difference.
 */
export function clientFrame(payload: Uint8Array, opcode = OP_BINARY): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  out.writeUInt32BE(0, head);
  out.set(payload, head + 4);
  return out;
}

export function pongFrame(payload: Uint8Array): Buffer {
  return clientFrame(payload, OP_PONG);
}

/**
 * The whole length of the frame at `buf[at]` (header and payload), or -1 when its header has
 * not all arrived.
 */
function frameLength(buf: Buffer, at: number): number {
  if (buf.length - at < 2) return -1;
  const head = headerLength(buf, at);
  if (buf.length - at < head) return -1;
  const len = (buf[at + 1] as number) & 0x7f;
  if (len < 126) return head + len;
  return head + (len === 126 ? buf.readUInt16BE(at + 2) : Number(buf.readBigUInt64BE(at + 2)));
}

/** The header length of the frame at `buf[at]` (its second byte present): 2, 4 or 10. */
function headerLength(buf: Buffer, at: number): number {
  const len = (buf[at + 1] as number) & 0x7f;
  return len < 126 ? 2 : len === 126 ? 4 : 10;
}

/** Parses the server's side of one connection: the 101 response, then unmasked frames. */
export class FrameReader {
  private carry: Buffer | null = null;
  private upgraded = false;
  private dead = false;
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  private count = 0;

  constructor(private readonly sink: FrameSink) {}

  feed(chunk: Buffer): void {
    if (this.dead) return;
    if (!this.upgraded) {
      const buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
      this.carry = null;
      const end = buf.indexOf(HEADER_END);
      if (end === -1) {
        this.carry = Buffer.from(buf);
        return;
      }
      const status = buf.toString("latin1", 0, buf.indexOf("\r\n"));
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        this.dead = true;
        this.sink.fail(`upgrade refused: ${status}`);
        return;
      }
      this.upgraded = true;
      this.sink.open();
      this.frames(buf.subarray(end + 4));
      return;
    }
    this.frames(chunk);
  }

  /**
   * Frames of one chunk. A frame cut by the previous chunk is completed first from this one's
   * head alone: joining the carry with the whole chunk would copy every byte once more.
   */
  private frames(chunk: Buffer): void {
    let at = 0;
    const carry = this.carry;
    if (carry !== null) {
      this.carry = null;
      const probe = carry.length >= 10 ? carry : Buffer.concat([carry, chunk.subarray(0, 10)]);
      const total = frameLength(probe, 0);
      if (total < 0 || total > MAX_FRAME + 10) {
        // Rare (a header still cut short, or a frame no IRC line can be): on the joined bytes.
        const joined = Buffer.concat([carry, chunk]);
        const rest = this.parse(joined, 0);
        if (rest !== false && rest < joined.length) this.carry = Buffer.from(joined.subarray(rest));
        return;
      }
      if (carry.length + chunk.length < total) {
        this.carry = Buffer.concat([carry, chunk]);
        return;
      }
      at = total - carry.length;
      if (this.parse(Buffer.concat([carry, chunk.subarray(0, at)]), 0) === false) return;
    }
    if (this.dead) return;
    const rest = this.parse(chunk, at);
    if (rest !== false && rest < chunk.length) this.carry = Buffer.from(chunk.subarray(rest));
  }

  /** Every whole frame from `at` on; returns where the first partial one starts, or false once dead. */
  private parse(buf: Buffer, at: number): number | false {
    this.count = 0;
    while (true) {
      const total = frameLength(buf, at);
      if (total < 0) break;
      const head = headerLength(buf, at);
      const len = total - head;
      if (len > MAX_FRAME) {
        this.flush(buf);
        this.dead = true;
        this.sink.fail(`frame of ${len} bytes`);
        return false;
      }
      if (buf.length - at < total) break;
      const op = (buf[at] as number) & 0x0f;
      const start = at + head;
      at += total;
      if (op === OP_TEXT || op === OP_BINARY) {
        this.push(start, at);
        continue;
      }
      this.flush(buf);
      const payload = buf.subarray(start, at);
      if (op === OP_PING) this.sink.ping(payload);
      else if (op === OP_CLOSE) {
        this.dead = true;
        this.sink.fail(`closed by the server (${len >= 2 ? payload.readUInt16BE(0) : "no code"})`);
        return false;
      }
    }
    this.flush(buf);
    return at;
  }

  private push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const s = new Int32Array(this.count * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Int32Array(this.count * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  private flush(buf: Buffer): void {
    if (this.count === 0) return;
    const n = this.count;
    this.count = 0;
    this.sink.messages(buf, this.starts, this.ends, n);
  }
}
