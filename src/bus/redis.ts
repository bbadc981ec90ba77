/**
 * The bus between nodes, over one Redis Stream (`<prefix>bus`). Every node
 * reads the whole stream (its history tap must see the whole network), so
 * sharding it would buy nothing and lose the one order all nodes share.
 *
 * Local first: an event is delivered to this node's subscribers and taps at
 * once, synchronously, exactly as the in-process bus does (the core relies on
 * it: a JOIN line reaches the joiner before its NAMES reply, an echo lands in
 * the sender's reply buffer), and goes into the stream for the other nodes,
 * which skip their own entries. So every node sees each node's events in that
 * node's order, and all remote nodes see all events in the stream's one order;
 * two messages sent at the same moment on two nodes may show in a different
 * order on their two home nodes (history is ordered by server time, then by
 * arrival, so CHATHISTORY agrees except within one millisecond).
 *
 * Publishing never blocks the caller: events queue in an outbox that goes to
 * Redis in one EVAL per turn (all XADDs of the batch, atomic, trimmed with
 * MAXLEN ~). A batch that fails stays at the head of the outbox and is retried
 * after a backoff, so a Redis blip delays messages but loses none. A batch
 * whose reply was lost may be applied twice; each entry carries its bus's id
 * and a sequence number, and readers drop any entry not above the last one
 * seen from that bus on that shard.
 *
 * Reading uses its own connection (XREAD BLOCK holds it) and resumes from the
 * last id it read on each shard, so after a blip nothing in the stream is
 * missed. Remote events go through the same in-process LocalBus, then to
 * the `remote` hooks (the cluster replica), which see them after delivery so
 * that, say, a KICKed local user is shown its KICK before it leaves the room.
 */
import { RedisClient } from "bun";
import type { BusListener, BusSubscriber, BusTap, MessageBus } from "./bus.ts";
import type { BusEvent } from "./events.ts";
import { LocalBus } from "./local.ts";

export interface RedisBusOptions {
  /** redis://[user:pass@]host:port[/db] or rediss:// for TLS. */
  url: string;
  /** Key namespace, so several networks can share one Redis. Default "chat:". */
  prefix?: string;
  /** Approximate entries kept in the stream (XADD MAXLEN ~). Default 100000. */
  maxLen?: number;
  /** How long one XREAD waits, ms (bounds how long close() takes). Default 1000. */
  blockMs?: number;
  /** Redis became unreachable or came back: one line for the operator's log. */
  log?: (line: string) => void;
}

/** One XADD of the outbox: topic, JSON event, dedupe sequence. */
interface Pending {
  topic: string;
  json: string;
  seq: number;
}

// KEYS[1]: the stream; ARGV: maxLen, bus id, then topic, json, seq per entry.
const XADD_BATCH = `
local n = (#ARGV - 2) / 3
for i = 1, n do
  local a = 3 + (i - 1) * 3
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 't', ARGV[a], 'e', ARGV[a + 1], 'u', ARGV[2], 's', ARGV[a + 2])
end
return n`;

const MAX_BATCH = 500;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;

/** Counts a benchmark or an operator can read. */
export interface RedisBusStats {
  /** Commands sent to Redis (EVAL batches, XREADs, and the start-up reads). */
  roundTrips: number;
  published: number;
  delivered: number;
  duplicatesDropped: number;
}

type XreadReply = Record<string, [string, string[]][]> | null;

/** Called with every event another node published, after local delivery. */
export type RemoteHook = (topic: string, event: BusEvent) => void;
/** Called with every control record another node sent (see `control`). */
export type ControlHook = (record: Record<string, unknown>) => void;

/** The topic control records travel under; no session can subscribe to it (not a nick or room). */
const CONTROL = "\u0000control";

export class RedisBus implements MessageBus {
  readonly stats: RedisBusStats = {
    roundTrips: 0,
    published: 0,
    delivered: 0,
    duplicatesDropped: 0,
  };
  /** This bus's name in its entries (dedupe); unique per run. */
  readonly id = `${Date.now().toString(36)}.${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
  private readonly local = new LocalBus();
  private readonly key: string;
  /** The last stream id this node read: where it resumes after a blip. */
  private lastId = "0-0";
  /** See MessageBus.lagSeconds: from the stream id's time (Redis's clock) to now. */
  lagSeconds = 0;
  private readonly maxLen: number;
  private readonly blockMs: number;
  private readonly log: (line: string) => void;
  private outbox: Pending[] = [];
  private seq = 0;
  private pumping = false;
  private pumpQueued = false;
  private closed = false;
  /** Highest sequence seen per publishing bus. */
  private readonly seen = new Map<string, number>();
  private down = false;
  private reading: Promise<void> | undefined;
  private readonly remoteHooks: RemoteHook[] = [];
  private readonly controlHooks: ControlHook[] = [];
  /** The command link, for the cluster's shared state (nicks, heartbeats). */
  get redis(): RedisClient {
    return this.cmd;
  }

  private constructor(
    private readonly cmd: RedisClient,
    private readonly reader: RedisClient,
    opts: RedisBusOptions,
  ) {
    this.key = `${opts.prefix ?? "chat:"}bus`;
    this.maxLen = opts.maxLen ?? 100_000;
    this.blockMs = opts.blockMs ?? 1000;
    this.log = opts.log ?? (() => {});
  }

  /** Connect both links, find where the stream ends now, and start reading from there. */
  static async connect(opts: RedisBusOptions): Promise<RedisBus> {
    const cmd = newClient(opts.url);
    const reader = newClient(opts.url);
    try {
      await Promise.all([cmd.connect(), reader.connect()]);
    } catch (err) {
      cmd.close();
      reader.close();
      throw new Error(`cannot reach Redis at ${redact(opts.url)}: ${describe(err)}`);
    }
    const bus = new RedisBus(cmd, reader, opts);
    // Start after the newest entry: a node joining the network does not replay old events.
    const tail = (await cmd.send("XREVRANGE", [bus.key, "+", "-", "COUNT", "1"])) as
      | [string, string[]][]
      | null;
    bus.stats.roundTrips++;
    bus.lastId = tail?.[0]?.[0] ?? "0-0";
    bus.reading = bus.readLoop();
    return bus;
  }

  publish(topic: string, event: BusEvent): void {
    if (this.closed) return;
    this.local.publish(topic, event);
    this.enqueue(topic, JSON.stringify(event));
  }

  /** Send a record to the other nodes only (the cluster's own messages: users, heartbeats). */
  control(record: Record<string, unknown>): void {
    if (this.closed) return;
    this.enqueue(CONTROL, JSON.stringify(record));
  }

  /** Deliver to this node's subscribers only (what a node lost can no longer publish: its users' QUITs). */
  deliverHere(topic: string, event: BusEvent): void {
    if (!this.closed) this.local.publish(topic, event);
  }

  onRemote(hook: RemoteHook): void {
    this.remoteHooks.push(hook);
  }

  onControl(hook: ControlHook): void {
    this.controlHooks.push(hook);
  }

  /** True while both links to Redis work (false during a blip). */
  get connected(): boolean {
    return !this.down;
  }

  private enqueue(topic: string, json: string): void {
    this.outbox.push({
      topic,
      json,
      seq: ++this.seq,
    });
    this.stats.published++;
    // One batch per turn: everything published in this turn goes in one EVAL.
    if (!this.pumpQueued && !this.pumping) {
      this.pumpQueued = true;
      queueMicrotask(() => {
        this.pumpQueued = false;
        void this.pump();
      });
    }
  }

  subscribe(topic: string, listener: BusListener): () => void {
    return this.local.subscribe(topic, listener);
  }

  listen(topic: string, sub: BusSubscriber): void {
    this.local.listen(topic, sub);
  }

  unlisten(topic: string, sub: BusSubscriber): void {
    this.local.unlisten(topic, sub);
  }

  tap(listener: BusTap): () => void {
    return this.local.tap(listener);
  }

  /** Resolves when everything published so far is in Redis (or the bus closed). */
  async flushed(): Promise<void> {
    for (let i = 0; i < 1000 && !this.closed && (this.outbox.length > 0 || this.pumping); i++) {
      await Bun.sleep(5);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.local.close();
    this.reader.close();
    this.cmd.close();
  }

  /** Close after the outbox has gone to Redis (bounded: about 5 s at most). */
  async closeGracefully(): Promise<void> {
    await this.flushed();
    this.close();
    await this.reading;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    let backoff = BACKOFF_MIN_MS;
    try {
      while (!this.closed && this.outbox.length > 0) {
        const batch = this.outbox.slice(0, MAX_BATCH);
        const args: string[] = [XADD_BATCH, "1", this.key, String(this.maxLen), this.id];
        for (const p of batch) args.push(p.topic, p.json, String(p.seq));
        try {
          this.stats.roundTrips++;
          await this.cmd.send("EVAL", args);
          this.outbox.splice(0, batch.length);
          backoff = BACKOFF_MIN_MS;
          this.up();
        } catch (err) {
          if (this.closed) return;
          this.lost(err);
          await Bun.sleep(backoff);
          backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
          await this.reconnect(this.cmd);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async readLoop(): Promise<void> {
    let backoff = BACKOFF_MIN_MS;
    while (!this.closed) {
      let reply: XreadReply;
      try {
        this.stats.roundTrips++;
        reply = (await this.reader.send("XREAD", [
          "COUNT",
          "1000",
          "BLOCK",
          String(this.blockMs),
          "STREAMS",
          this.key,
          this.lastId,
        ])) as XreadReply;
        backoff = BACKOFF_MIN_MS;
        this.up();
      } catch (err) {
        if (this.closed) return;
        this.lost(err);
        await Bun.sleep(backoff);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
        await this.reconnect(this.reader);
        continue;
      }
      if (reply !== null && !this.closed) this.deliver(reply);
    }
  }

  private deliver(reply: Record<string, [string, string[]][]>): void {
    for (const [key, entries] of Object.entries(reply)) {
      if (key !== this.key) continue;
      for (const [id, fields] of entries) {
        this.lastId = id;
        const f = fieldMap(fields);
        const from = f.u ?? "";
        // Our own entries were delivered here when they were published.
        if (from === this.id) continue;
        this.lagSeconds = Math.max(0, Date.now() - Number.parseInt(id, 10)) / 1000;
        const seq = Number(f.s);
        if (seq <= (this.seen.get(from) ?? 0)) {
          this.stats.duplicatesDropped++;
          continue;
        }
        this.seen.set(from, seq);
        if (f.t === undefined || f.e === undefined) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(f.e);
        } catch {
          this.log(`redis bus: skipped an unreadable entry ${id} on ${key}`);
          continue;
        }
        this.stats.delivered++;
        try {
          if (f.t === CONTROL) {
            for (const h of this.controlHooks) h(parsed as Record<string, unknown>);
            continue;
          }
          const ev = parsed as BusEvent;
          this.local.publish(f.t, ev);
          for (const h of this.remoteHooks) h(f.t, ev);
        } catch (err) {
          // One bad entry must not stop this node from reading the rest of the stream.
          this.log(`redis bus: entry ${id} failed: ${err instanceof Error ? err.stack : err}`);
        }
      }
    }
  }

  /** Connect a link again after it dropped (the loops call this between backoffs). */
  private async reconnect(client: RedisClient): Promise<void> {
    if (client.connected || this.closed) return;
    try {
      await client.connect();
    } catch {
      // Still down: the caller's loop backs off and tries again.
    }
  }

  private lost(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log(`redis bus: lost Redis (${describe(err)}); retrying with backoff`);
  }

  private up(): void {
    if (!this.down) return;
    this.down = false;
    this.log("redis bus: Redis is back; resuming streams");
  }
}

function newClient(url: string): RedisClient {
  // No offline queue and no automatic reconnect: a command sent while down
  // fails at once and our loops reconnect and retry it in order, rather than
  // Bun replaying it at a time we cannot see (or giving up after its retries).
  return new RedisClient(url, {
    autoReconnect: false,
    enableOfflineQueue: false,
    connectionTimeout: 2000,
  });
}

function fieldMap(fields: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] as string] = fields[i + 1];
  return out;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
