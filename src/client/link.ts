/**
 * One attempt at a socket to the server: Bun.connect (plain or TLS, the trust
 * decision handed to the TlsTrust seam), a bounded connect time, line framing
 * in and a send queue out. A Link never reconnects: the connection makes a new
 * one per attempt and abandons the old one, whose late callbacks are ignored.
 */
import type { PeerCertificate } from "node:tls";
import type { Socket } from "bun";
import { LineFramer } from "../protocol/framing.ts";
import { type IrcMessage, IrcParseError, parse } from "../protocol/message.ts";
import { describeConnectError } from "./connect-error.ts";
import { SendQueue } from "./send-queue.ts";

/**
 * The seam for TLS trust (the security module decides): given what the
 * handshake produced, resolve undefined to proceed or a message to refuse.
 */
export interface TlsTrust {
  /** Passed to Bun.connect's `tls` (SNI; chain checks are left to `verify`). */
  options: { rejectUnauthorized: false; serverName?: string };
  verify(
    socket: { getPeerCertificate(): PeerCertificate | object | null | undefined },
    chainError: Error | null,
  ): Promise<string | undefined>;
}

export interface LinkTarget {
  host: string;
  port: number;
  /** host:port as the user should read it. */
  where: string;
  tls?: TlsTrust;
  connectTimeoutMs: number;
}

/** What a link reports; nothing is reported once it has been abandoned. */
export interface LinkEvents {
  /** TCP is up; TLS, when used, is still to be checked. */
  connected(): void;
  /** Lines can flow both ways: registration may begin. */
  ready(): void;
  /** Bytes arrived (a whole line or not): the peer is alive. */
  heard(): void;
  message(msg: IrcMessage): void;
  /** A socket error: the best explanation of the close that follows. */
  error(text: string): void;
  /** TLS refused (the handshake failed, or the server is not trusted): retrying will not help. */
  refused(reason: string): void;
  /** The socket closed after it had connected. */
  closed(): void;
  /** No socket at all: refused, unknown host, no answer in time. */
  failed(reason: string): void;
}

export type WriteResult = "queued" | "offline" | "overflow";

export class Link {
  /** Set on TCP open, so a stuck TLS handshake can still be cut. */
  private raw: Socket<undefined> | undefined;
  /** Set once ready: writing before then has nowhere to go. */
  private queue: SendQueue | undefined;
  private readonly framer = new LineFramer();
  private live = true;

  constructor(
    private readonly target: LinkTarget,
    private readonly on: LinkEvents,
  ) {}

  get writable(): boolean {
    return this.queue !== undefined;
  }

  /** Stop reporting and let the socket go (superseded by a new attempt, or the user left). */
  abandon(): void {
    this.live = false;
    this.raw?.end();
  }

  async connect(): Promise<void> {
    const { host, port, tls, connectTimeoutMs } = this.target;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const connecting = Bun.connect<undefined>({
        hostname: host,
        port,
        // Trust is decided in `handshake` by the security module (TOFU, --fp).
        ...(tls !== undefined ? { tls: tls.options } : {}),
        socket: {
          open: (s) => {
            if (!this.live) {
              s.end();
              return;
            }
            this.raw = s;
            this.on.connected();
            if (tls === undefined) this.opened(s);
          },
          handshake: (s, ok, authError) => {
            if (this.live && tls !== undefined) void this.checkTrust(tls, s, ok, authError);
          },
          data: (_s, data) => {
            if (this.live) this.received(data);
          },
          drain: () => {
            if (this.live) this.queue?.flush();
          },
          close: () => {
            this.queue?.close();
            this.queue = undefined;
            if (this.live) this.on.closed();
          },
          error: (s, err) => {
            if (this.live) this.on.error(err.message);
            s.end();
          },
          connectError: () => {},
        },
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.live = false;
          reject(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }));
        }, connectTimeoutMs);
      });
      await Promise.race([connecting, timeout]);
    } catch (err) {
      // An abandoned attempt's failure is nobody's news; our own timeout is.
      if (!this.live && !(err as { code?: string }).code?.startsWith("ETIMEDOUT")) return;
      this.on.failed(describeConnectError(err, this.target.where, connectTimeoutMs));
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private async checkTrust(
    tls: TlsTrust,
    s: Socket<undefined>,
    ok: boolean,
    authError: Error | null,
  ): Promise<void> {
    const where = this.target.where;
    const cert = s.getPeerCertificate() as { raw?: unknown } | null | undefined;
    if (!ok && (cert === null || cert === undefined || cert.raw === undefined)) {
      // No certificate at all: the handshake itself failed (often: the server does not speak TLS).
      this.on.refused(
        `TLS handshake with ${where} failed (${authError?.message ?? "no certificate"}); is TLS enabled there? Try without --tls`,
      );
      s.end();
      return;
    }
    let refusal: string | undefined;
    try {
      refusal = await tls.verify(s, authError);
    } catch (err) {
      refusal = `TLS check of ${where} failed: ${(err as Error).message}`;
    }
    if (!this.live) return;
    if (refusal !== undefined) {
      this.on.refused(refusal);
      s.end();
      return;
    }
    this.opened(s);
  }

  private opened(s: Socket<undefined>): void {
    this.queue = new SendQueue(s);
    this.on.ready();
  }

  private received(data: Uint8Array): void {
    this.on.heard();
    for (const ev of this.framer.push(data)) {
      if (ev.kind !== "line") continue;
      let msg: IrcMessage;
      try {
        msg = parse(ev.line);
      } catch (e) {
        if (e instanceof IrcParseError) continue;
        throw e;
      }
      this.on.message(msg);
      // A handler may have abandoned this link (the user quit on a line).
      if (!this.live) return;
    }
  }

  /** Queue one encoded line: "offline" before the link is ready or after it closed. */
  write(bytes: Uint8Array): WriteResult {
    const q = this.queue;
    if (q === undefined) return "offline";
    return q.enqueue(bytes) ? "queued" : "overflow";
  }

  /** Close after what is queued (FIN). */
  end(): void {
    this.raw?.end();
  }

  /** Cut now: the peer is gone or hopeless, waiting for it to agree is pointless. */
  terminate(): void {
    this.raw?.terminate();
  }
}
