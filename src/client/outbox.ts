/**
 * What the user typed while reconnecting: held (up to a bound, never dropped
 * silently) and sent once every room is back and its catch-up is in, so the
 * conversation reads in order. A room that cannot be rejoined does not hold
 * the lines forever: a fallback timer sends them anyway.
 */
import { foldCase } from "../protocol/casemap.ts";

/** Typed lines held while reconnecting; beyond this they are refused, not silently dropped. */
const MAX_HELD = 100;
/** How long held lines wait for rooms that do not come back. */
const REJOIN_WAIT_MS = 10_000;

export interface HeldLine {
  target: string;
  text: string;
  action: boolean;
}

export interface OutboxLink {
  /** Registered and able to send now. */
  ready(): boolean;
  /** Resolves once the server has answered everything sent before it. */
  barrier(): Promise<void>;
  say(line: HeldLine): void;
}

export class Outbox {
  private held: HeldLine[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Rooms (folded) still to be rejoined after a reconnect. */
  private awaiting = new Set<string>();

  constructor(private readonly link: OutboxLink) {}

  /** Hold a line; false when the outbox is full. */
  hold(line: HeldLine): boolean {
    if (this.held.length >= MAX_HELD) return false;
    this.held.push(line);
    return true;
  }

  /** Registered again: wait for these rooms (and their history) before sending. */
  awaitRejoin(rooms: readonly string[]): void {
    this.awaiting = new Set(rooms.map(foldCase));
    this.timer = setTimeout(() => this.flush(), REJOIN_WAIT_MS);
    this.timer.unref?.();
  }

  /** A room is back (joined, or refused for good). */
  rejoined(room: string): void {
    if (!this.awaiting.delete(foldCase(room)) || this.awaiting.size > 0) return;
    // The PONG comes after the server has answered the CHATHISTORY requests sent before it.
    void this.link.barrier().then(() => this.flush());
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.link.ready()) return;
    for (const line of this.held.splice(0)) this.link.say(line);
  }
}
