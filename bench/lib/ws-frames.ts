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
  /** One text or binary message: one IRC line, a view valid only during the call. */
  message(payload: Buffer): void;
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

/** Parses the server's side of one connection: the 101 response, then unmasked frames. */
export class FrameReader {
  private carry: Buffer | null = null;
  private upgraded = false;
  private dead = false;

  constructor(private readonly sink: FrameSink) {}

  feed(chunk: Buffer): void {
    if (this.dead) return;
    let buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = null;
    if (!this.upgraded) {
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
      buf = buf.subarray(end + 4);
    }
    let at = 0;
    while (buf.length - at >= 2) {
      const op = (buf[at] as number) & 0x0f;
      let len = (buf[at + 1] as number) & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - at < 4) break;
        len = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - at < 10) break;
        len = Number(buf.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (len > MAX_FRAME) {
        this.dead = true;
        this.sink.fail(`frame of ${len} bytes`);
        return;
      }
      if (buf.length - at < head + len) break;
      const payload = buf.subarray(at + head, at + head + len);
      at += head + len;
      if (op === OP_TEXT || op === OP_BINARY) this.sink.message(payload);
      else if (op === OP_PING) this.sink.ping(payload);
      else if (op === OP_CLOSE) {
        this.dead = true;
        this.sink.fail(`closed by the server (${len >= 2 ? payload.readUInt16BE(0) : "no code"})`);
        return;
      }
    }
    if (at < buf.length) this.carry = Buffer.from(buf.subarray(at));
  }
}
