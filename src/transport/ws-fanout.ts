/**
 * The output side of one Bun.serve server's WebSockets: every socket's own
 * bytes and the turn's room publishes, in one ordered log that runs at the
 * flush (after the history commit, like every other write).
 *
 * A plain room message reaches all of the server's WebSocket members as one
 * Bun publish per line, per variant and frame kind (a topic per room, variant
 * and text|binary), framed and fanned out by Bun in native code instead of one
 * send per member. Order per socket stays exactly what the core produced:
 * uWS sends a socket's pending topic messages before anything sent to it
 * directly, and subscribes and unsubscribes go through the log too, so each
 * publish reaches exactly the members the room had when the event happened.
 * Members the core serves itself (the sender, a session capturing its output)
 * are left out: one with Bun's `ws.publish` (which skips its socket), any
 * other by leaving the topic just around the publish.
 *
 * Bun's buffer is each socket's send queue: after every flush a socket that
 * holds more than the cap is cut off ("SendQ exceeded"), like a slow TCP client.
 */
import type { ServerWebSocket } from "bun";
import type { RoomFanout, RoomHub } from "./conn.ts";
import type { Flushable, FlushScheduler } from "./output.ts";
import { type ChunkLines, LineCache, textsOf } from "./ws-lines.ts";

/** What the hub needs of Bun's server: publishing to a topic, and whether anyone listens. */
export interface Publisher {
  publish(topic: string, data: string | Uint8Array): number;
  subscriberCount(topic: string): number;
}

/** RFC 6455 close codes. */
const CLOSE_NORMAL = 1000;
const CLOSE_POLICY = 1008;

type Op =
  | BytesOp
  | {
      kind: "publish";
      id: number;
      variant: number;
      bytes: Uint8Array;
      /** Members left out, each with the topic it was in for the room. */
      skip: { member: HubMember; topic: string }[] | undefined;
    }
  | { kind: "subscribe" | "unsubscribe"; member: HubMember; topic: string }
  | { kind: "close"; member: HubMember };

interface BytesOp {
  kind: "bytes";
  member: HubMember;
  chunks: Uint8Array[];
}

function topicOf(id: number, variant: number, binary: boolean): string {
  return `${id}/${variant}/${binary ? "b" : "t"}`;
}

/** One WebSocket's output: what it queued this turn, its topics, its cut-off. */
export class HubMember implements RoomFanout {
  /** The topic this socket is in for each room, as of the last op logged. */
  topics: Map<object, string> | undefined;
  /** Bytes logged and not yet handed to Bun. */
  pending = 0;
  /** Closing: nothing more is taken. */
  closing = false;
  /** Closed or cut off: its ops are skipped. */
  dead = false;
  /** Its bytes op in this turn's log (a hub without topics adds to it). */
  turnBytes: BytesOp | undefined;

  constructor(
    readonly hub: WsHub,
    readonly ws: ServerWebSocket<unknown>,
    readonly binary: boolean,
    /** Past the send-queue cap: the connection is told SendQ exceeded and dropped. */
    readonly overflow: () => void,
  ) {}

  enter(room: object, variant: number): void {
    this.hub.enter(this, room, variant);
  }

  leave(room: object): void {
    this.hub.leave(this, room);
  }

  /** Leave every topic now (the socket is being dropped; order no longer matters). */
  drop(): void {
    this.dead = true;
    this.closing = true;
    this.pending = 0;
    for (const topic of this.topics?.values() ?? []) this.ws.unsubscribe(topic);
    this.topics = undefined;
  }
}

export class WsHub implements RoomHub, Flushable {
  private server: Publisher | undefined;
  private ops: Op[] = [];
  private dirty = false;
  /** Topic ids by room identity: a renamed room keeps its topics. */
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly members = new Set<HubMember>();
  private readonly lines = new LineCache();
  /** Sockets this turn's log writes to, about (the scheduler's load signal). */
  sockets = 0;

  constructor(
    private readonly scheduler: FlushScheduler,
    private readonly capBytes: number,
    private readonly closeGraceMs: number,
    /**
     * Whether room messages use Bun's topics (one publish for all members) or
     * go per member like any other bytes (see web/server.ts for which server does which).
     */
    readonly topics = true,
  ) {}

  /** The Bun.serve server, once it exists (its handlers are built before it). */
  attach(server: Publisher): void {
    this.server = server;
  }

  join(member: HubMember): void {
    this.members.add(member);
  }

  /** The socket closed: Bun has already taken it out of its topics. */
  gone(member: HubMember): void {
    member.dead = true;
    member.closing = true;
    this.members.delete(member);
  }

  /** Queue a socket's own bytes; false past the cap (nothing is queued then). */
  send(member: HubMember, bytes: Uint8Array): boolean {
    if (member.closing) return true;
    if (member.pending + bytes.length > this.capBytes) return false;
    member.pending += bytes.length;
    // Without topics nothing else is logged between a socket's bytes: one op
    // per socket per turn (one corked write). With topics, only back to back.
    const last = this.topics ? this.ops[this.ops.length - 1] : member.turnBytes;
    if (last?.kind === "bytes" && last.member === member) last.chunks.push(bytes);
    else {
      const op: BytesOp = { kind: "bytes", member, chunks: [bytes] };
      member.turnBytes = op;
      this.sockets++;
      this.push(op);
    }
    return true;
  }

  /** Send `lastWords` after everything queued, then close the socket. */
  close(member: HubMember, lastWords: Uint8Array | undefined): void {
    if (member.closing) return;
    if (lastWords !== undefined && lastWords.length > 0) this.send(member, lastWords);
    member.closing = true;
    this.push({ kind: "close", member });
  }

  enter(member: HubMember, room: object, variant: number): void {
    if (member.closing) return;
    let id = this.ids.get(room);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(room, id);
    }
    const topic = topicOf(id, variant, member.binary);
    const had = member.topics?.get(room);
    if (had === topic) return;
    if (had !== undefined) this.push({ kind: "unsubscribe", member, topic: had });
    if (member.topics === undefined) member.topics = new Map();
    member.topics.set(room, topic);
    this.push({ kind: "subscribe", member, topic });
  }

  leave(member: HubMember, room: object): void {
    const had = member.topics?.get(room);
    if (had === undefined) return;
    member.topics?.delete(room);
    this.push({ kind: "unsubscribe", member, topic: had });
  }

  publish(room: object, variant: number, bytes: Uint8Array, skip: readonly RoomFanout[]): void {
    const id = this.ids.get(room);
    // No socket of this server ever entered the room: nobody here to reach.
    if (id === undefined) return;
    let left: { member: HubMember; topic: string }[] | undefined;
    for (const s of skip) {
      if (!(s instanceof HubMember) || s.hub !== this) continue;
      const topic = s.topics?.get(room);
      if (topic === undefined) continue;
      if (left === undefined) left = [];
      left.push({ member: s, topic });
    }
    this.sockets = Math.max(this.sockets, this.members.size);
    this.push({ kind: "publish", id, variant, bytes, skip: left });
  }

  private push(op: Op): void {
    this.ops.push(op);
    if (!this.dirty) {
      this.dirty = true;
      this.scheduler.markDirty(this);
    }
  }

  /** Run the turn's log in order, then cut off every socket Bun holds too much for. */
  flush(): void {
    this.dirty = false;
    this.sockets = 0;
    const ops = this.ops;
    this.ops = [];
    const turn = this.scheduler.turn;
    let published = false;
    const written: HubMember[] = [];
    for (const op of ops) {
      if (op.kind === "publish") {
        published = true;
        this.runPublish(op, this.lines.get(op.bytes, turn));
        continue;
      }
      const m = op.member;
      if (m.dead) continue;
      try {
        if (op.kind === "bytes") {
          m.turnBytes = undefined;
          this.sendChunks(m, op.chunks, turn);
          written.push(m);
        } else if (op.kind === "subscribe") m.ws.subscribe(op.topic);
        else if (op.kind === "unsubscribe") m.ws.unsubscribe(op.topic);
        else this.closeNow(m);
      } catch (err) {
        // One broken socket must not keep the others' output waiting.
        console.error(`chat: WebSocket write failed, connection dropped: ${String(err)}`);
        m.drop();
        m.ws.terminate();
      }
    }
    for (const m of published ? this.members : written) {
      if (!m.dead && m.ws.getBufferedAmount() > this.capBytes) m.overflow();
    }
  }

  abort(): void {
    for (const op of this.ops) if (op.kind === "bytes") op.member.turnBytes = undefined;
    this.ops = [];
  }

  private sendChunks(m: HubMember, chunks: readonly Uint8Array[], turn: number): void {
    const ws = m.ws;
    ws.cork(() => {
      for (const chunk of chunks) {
        m.pending -= chunk.length;
        const lines = this.lines.get(chunk, turn);
        // Text frames must be UTF-8: invalid bytes become U+FFFD, as on input.
        if (m.binary) for (const v of lines.views) ws.sendBinary(v);
        else for (const t of textsOf(lines)) ws.sendText(t);
      }
    });
  }

  private runPublish(op: Extract<Op, { kind: "publish" }>, lines: ChunkLines): void {
    this.publishTo(topicOf(op.id, op.variant, true), lines.views, op.skip);
    const text = topicOf(op.id, op.variant, false);
    if (this.server?.subscriberCount(text)) this.publishTo(text, textsOf(lines), op.skip);
  }

  private publishTo(
    topic: string,
    payloads: readonly (string | Uint8Array)[],
    skip: { member: HubMember; topic: string }[] | undefined,
  ): void {
    const server = this.server;
    if (server === undefined) return;
    let via: ServerWebSocket<unknown> | undefined;
    let held: HubMember[] | undefined;
    for (const s of skip ?? []) {
      if (s.topic !== topic || s.member.dead) continue;
      if (via === undefined) via = s.member.ws;
      else if (held === undefined) held = [s.member];
      else held.push(s.member);
    }
    for (const m of held ?? []) m.ws.unsubscribe(topic);
    for (const p of payloads) {
      if (via !== undefined) via.publish(topic, p);
      else server.publish(topic, p);
    }
    for (const m of held ?? []) m.ws.subscribe(topic);
  }

  private closeNow(m: HubMember): void {
    m.dead = true;
    const ws = m.ws;
    const stuck = ws.getBufferedAmount() > 0;
    ws.close(CLOSE_NORMAL);
    // A reader that stopped would hold the close frame forever.
    if (stuck) this.terminateLater(m);
  }

  private terminateLater(m: HubMember): void {
    setTimeout(() => {
      if (this.members.has(m)) m.ws.terminate();
    }, this.closeGraceMs).unref();
  }

  /**
   * Cut a socket off now, dropping what it has queued: `line` (one IRC line)
   * if Bun holds nothing for it (a stalled reader would never take it), then a
   * policy close with `reason`.
   */
  cutOff(m: HubMember, line: string, reason: string): void {
    if (m.dead) return;
    const ws = m.ws;
    const stuck = ws.getBufferedAmount() > 0;
    m.drop();
    if (!stuck) {
      if (m.binary) ws.sendBinary(new TextEncoder().encode(line));
      else ws.sendText(line);
    }
    ws.close(CLOSE_POLICY, reason);
    this.terminateLater(m);
  }
}
