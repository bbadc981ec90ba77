/**
 * History on joining and after a drop: CHATHISTORY LATEST the first time in a
 * room, AFTER the last msgid seen once rejoined (paged while pages come back
 * full, asked again by timestamp when the server refuses the msgid), and the
 * one status line that says how much was fetched. No I/O: lines go out through
 * `send`, words for the user through `status`.
 */
import { foldCase } from "../protocol/casemap.ts";
import { type IrcMessage, message } from "../protocol/message.ts";
import type { ClientEvent } from "./events.ts";
import type { ClientState } from "./state.ts";

/** Lines of recent history shown on joining a room. */
const JOIN_HISTORY = 50;
/** Pages of CHATHISTORY AFTER fetched after a reconnect before giving up on the rest. */
const MAX_CATCHUP_PAGES = 20;
const HISTORY_BATCHES = new Set(["chathistory", "draft/chathistory"]);

export interface CatchUpOutput {
  send(msg: IrcMessage): void;
  status(text: string): void;
}

interface Request {
  limit: number;
  page: number;
  total: number;
  room: string;
  byMsgid: boolean;
}

interface OpenBatch {
  room: string;
  /** Lines received: pages the request. */
  count: number;
  /** New lines only, after de-duplication: what we report. */
  shown: number;
  lastId?: string;
}

function plural(n: number): string {
  return `${n} message${n === 1 ? "" : "s"}`;
}

export class CatchUp {
  /** folded room -> msgid to fetch after, once rejoined. */
  private readonly pending = new Map<string, string>();
  /** folded room -> the request in flight. */
  private readonly paging = new Map<string, Request>();
  /** Open history batches: reference -> what has arrived in it. */
  private readonly batches = new Map<string, OpenBatch>();

  constructor(
    private readonly state: ClientState,
    private readonly out: CatchUpOutput,
    /** How many missed messages to ask for per room after a reconnect. */
    private readonly limit = 100,
  ) {}

  /** A new link: requests and batches of the old one will never complete. */
  reset(): void {
    this.batches.clear();
    this.paging.clear();
  }

  /** Before rejoining after a drop: note where each room's history stopped. */
  remember(rooms: readonly string[]): void {
    this.pending.clear();
    for (const name of rooms) {
      const last = this.state.lastMsgid.get(foldCase(name));
      if (last !== undefined) this.pending.set(foldCase(name), last);
    }
  }

  /**
   * We joined `room`. A server with chathistory does not replay on join: ask
   * for what we missed (AFTER the last msgid seen) or, the first time, for the
   * recent past. Without it, the server's join replay is all there is; msgids
   * de-duplicate it.
   */
  joined(room: string): void {
    const key = foldCase(room);
    const after = this.pending.get(key);
    this.pending.delete(key);
    if (!this.state.hasChathistory()) return;
    if (after !== undefined) this.requestAfter(room, after, 0, 0);
    else
      this.out.send(
        message("CHATHISTORY", ["LATEST", room, "*", String(this.historyLimit(JOIN_HISTORY))]),
      );
  }

  private historyLimit(wanted: number): number {
    const max = Number(this.state.isupport.get("CHATHISTORY") ?? "") || wanted;
    return Math.max(1, Math.min(max, wanted));
  }

  private requestAfter(room: string, msgid: string, page: number, total: number): void {
    const limit = this.historyLimit(this.limit);
    this.paging.set(foldCase(room), { limit, page, total, room, byMsgid: true });
    this.out.send(message("CHATHISTORY", ["AFTER", room, `msgid=${msgid}`, String(limit)]));
  }

  /**
   * FAIL CHATHISTORY: a server that refuses our msgid (it lost its history, or
   * does not keep ids) gets the same question by time, AFTER the newest line we
   * saw. Lines at that same instant come back twice and are dropped by msgid.
   * True when it was asked again (so the refusal is not the user's problem).
   */
  refused(): boolean {
    let retried = false;
    for (const [key, p] of this.paging) {
      if (!p.byMsgid) continue;
      const t = this.state.lastTime.get(key);
      if (t === undefined) continue;
      p.byMsgid = false;
      const ts = new Date(t).toISOString();
      this.out.send(message("CHATHISTORY", ["AFTER", p.room, `timestamp=${ts}`, String(p.limit)]));
      retried = true;
    }
    return retried;
  }

  /** BATCH +ref chathistory #room opens a page; BATCH -ref closes it. */
  onBatch(msg: IrcMessage): void {
    const ref = msg.params[0] ?? "";
    if (ref.startsWith("+")) {
      const type = msg.params[1] ?? "";
      const target = msg.params[2];
      if (HISTORY_BATCHES.has(type) && target !== undefined)
        this.batches.set(ref.slice(1), { room: target, count: 0, shown: 0 });
      return;
    }
    const b = this.batches.get(ref.slice(1));
    if (b === undefined) return;
    this.batches.delete(ref.slice(1));
    this.closed(b);
  }

  /** Count a line that arrived inside a history batch, with the events it made. */
  count(msg: IrcMessage, events: readonly ClientEvent[]): void {
    const ref = msg.tags.get("batch");
    const batch = ref === undefined ? undefined : this.batches.get(ref);
    if (batch === undefined) return;
    batch.count++;
    batch.shown += events.filter((e) => e.type === "message").length;
    const id = msg.tags.get("msgid");
    if (id !== undefined) batch.lastId = id;
  }

  /** A full page means there may be more to fetch. */
  private closed(b: OpenBatch): void {
    const key = foldCase(b.room);
    const p = this.paging.get(key);
    if (p === undefined) {
      // The recent past shown on joining: say where it ends and live talk begins.
      if (b.shown > 0) this.out.status(`${plural(b.shown)} of history in ${b.room} above`);
      return;
    }
    this.paging.delete(key);
    const total = p.total + b.shown;
    // Page on from the batch's own last line: live traffic may have moved lastMsgid ahead.
    const last = b.lastId;
    if (b.count >= p.limit && last !== undefined && p.page + 1 < MAX_CATCHUP_PAGES) {
      this.requestAfter(b.room, last, p.page + 1, total);
      return;
    }
    if (total > 0) this.out.status(`caught up: ${plural(total)} in ${b.room} while you were away`);
  }
}
