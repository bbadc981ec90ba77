/**
 * TLS and plain text on ONE port.
 *
 * Decision (checked on Bun 1.4.5): Bun.listen cannot upgrade an accepted socket
 * to server-side TLS after we have read from it (`upgradeTLS` on a server socket
 * starts a handshake, but the ClientHello we already consumed to sniff the
 * first byte is lost and the handshake fails). What does work is node:tls
 * `TLSSocket({ isServer: true })` wrapped around an in-memory Duplex: we feed it
 * the ciphertext the raw socket received (including the sniffed first chunk)
 * and write the ciphertext it produces to the raw socket ourselves, honouring
 * partial writes. So the listener stays a plain Bun.listen, and a connection
 * whose first byte is 0x16 (a TLS handshake record: every ClientHello starts
 * with it, and no IRC command or human greeting does) becomes a TlsSession.
 *
 * A TlsSession is a ByteSink for the plain text going out (so the transport's
 * SendQueue and its cap work unchanged) and reports plain text coming in.
 */
import { Duplex } from "node:stream";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";

/** Record type of a TLS handshake: the first byte of every ClientHello. */
export const TLS_HANDSHAKE_BYTE = 0x16;

export function looksLikeTls(firstChunk: Uint8Array): boolean {
  return firstChunk.length > 0 && firstChunk[0] === TLS_HANDSHAKE_BYTE;
}

/** The raw socket surface a TlsSession writes ciphertext to (Bun's Socket fits). */
export interface RawSocket {
  /** Bytes accepted (possibly fewer than given), or -1 once closed. */
  write(data: Uint8Array): number;
  end(): void;
}

export interface TlsSessionEvents {
  /** Decrypted bytes from the peer. */
  data(plain: Uint8Array): void;
  /** After write() returned less than asked, the session can take more. */
  drain(): void;
  /** The handshake or the stream failed; the raw socket has been ended. */
  error(err: Error): void;
}

/**
 * Ciphertext and plain text held inside the TLS layer before write() says
 * "not now". Bun's TLSSocket accepts plain text and pushes ciphertext into the
 * duplex without waiting for it to be written, so without this bound a peer
 * that stops reading would make the server buffer without limit, and the
 * transport's send-queue cap would never see it.
 */
export const TLS_BACKLOG_BYTES = 64 * 1024;

export function makeSecureContext(identity: { cert: string; key: string }): SecureContext {
  return createSecureContext({ cert: identity.cert, key: identity.key, minVersion: "TLSv1.2" });
}

export class TlsSession {
  private readonly tls: TLSSocket;
  private readonly wire: Duplex;
  /** Ciphertext the raw socket did not take yet, and the callback that releases the TLS layer. */
  private pending: Uint8Array | undefined;
  private pendingDone: ((err?: Error | null) => void) | undefined;
  private ended = false;
  private failed = false;
  /** write() refused bytes: tell the transport once the backlog is low again. */
  private wantDrain = false;

  constructor(
    private readonly raw: RawSocket,
    context: SecureContext,
    private readonly events: TlsSessionEvents,
  ) {
    this.wire = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, done) => this.writeCipher(chunk, done),
      final: (done) => {
        this.raw.end();
        done();
      },
    });
    this.tls = new TLSSocket(this.wire as unknown as import("node:net").Socket, {
      isServer: true,
      secureContext: context,
      // Ask for a client certificate without requiring or checking one: its
      // fingerprint is a key for SASL EXTERNAL, not a claim to an identity.
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.tls.on("data", (buf: Buffer) => {
      this.events.data(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    });
    this.tls.on("drain", () => this.maybeDrain());
    this.wire.on("drain", () => this.maybeDrain());
    this.tls.on("error", (err: Error) => this.fail(err));
    this.tls.on("end", () => this.end());
  }

  /** SHA-256 of the client's certificate as lowercase hex, or undefined when it sent none. */
  peerFingerprint(): string | undefined {
    const cert = this.tls.getPeerCertificate();
    const fp = cert?.fingerprint256;
    return typeof fp === "string" && fp !== "" ? fp.replaceAll(":", "").toLowerCase() : undefined;
  }

  /** Ciphertext that arrived on the raw socket. */
  receive(cipher: Uint8Array): void {
    if (this.failed) return;
    // Copy: Bun reuses the buffer it hands to `data` once the callback returns.
    this.wire.push(Buffer.from(cipher));
  }

  /** The raw socket's `drain`: retry the ciphertext it refused. */
  rawDrained(): void {
    const data = this.pending;
    const done = this.pendingDone;
    if (data === undefined || done === undefined) return;
    this.pending = undefined;
    this.pendingDone = undefined;
    this.writeCipher(data, done);
    // The duplex moves on to its next buffered chunk after the callback; look once it has.
    queueMicrotask(() => this.maybeDrain());
  }

  /** Bytes accepted by write() that the raw socket has not taken yet. */
  get backlog(): number {
    return this.tls.writableLength + this.wire.writableLength;
  }

  private maybeDrain(): void {
    if (!this.wantDrain || this.failed || this.backlog >= TLS_BACKLOG_BYTES) return;
    this.wantDrain = false;
    this.events.drain();
  }

  /** ByteSink: plain text to encrypt. Returns 0 while the TLS layer is backed up. */
  write(plain: Uint8Array): number {
    if (this.failed || this.ended || this.tls.destroyed) return -1;
    if (this.tls.writableNeedDrain || this.backlog >= TLS_BACKLOG_BYTES) {
      this.wantDrain = true;
      return 0;
    }
    this.tls.write(Buffer.from(plain));
    return plain.length;
  }

  /** ByteSink: send close_notify after what is queued, then close the raw socket. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.failed) return;
    this.tls.end();
  }

  /** The raw socket closed under us. */
  destroy(): void {
    this.ended = true;
    this.pending = undefined;
    this.pendingDone = undefined;
    this.tls.destroy();
  }

  private writeCipher(chunk: Uint8Array, done: (err?: Error | null) => void): void {
    const n = this.raw.write(chunk);
    if (n < 0) {
      done(new Error("connection closed"));
      return;
    }
    if (n < chunk.length) {
      this.pending = chunk.subarray(n);
      this.pendingDone = done;
      return;
    }
    done();
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.raw.end();
    this.events.error(err);
  }
}
