/**
 * In-process bus: publish calls each subscriber synchronously, so a single node
 * delivers in the same turn with no copies and no serialization of the event.
 */
import type { BusListener, BusTap, MessageBus } from "./bus.ts";
import type { BusEvent } from "./events.ts";

export class LocalBus implements MessageBus {
  /**
   * A topic's listener, or its list when it has more than one. Nearly every topic (a session's
   * nick, a room on this node) has exactly one, and a one-element array per idle session was
   * ~50 bytes of heap each (bench/idle-heap.ts).
   */
  private readonly topics = new Map<string, BusListener | BusListener[]>();
  private taps: BusTap[] = [];

  publish(topic: string, event: BusEvent): void {
    for (const t of this.taps) t(topic, event);
    const listeners = this.topics.get(topic);
    if (listeners === undefined) return;
    if (typeof listeners === "function") {
      listeners(event);
      return;
    }
    // A listener may unsubscribe while being called: walk a copy.
    for (const l of listeners.slice()) l(event);
  }

  subscribe(topic: string, listener: BusListener): () => void {
    const had = this.topics.get(topic);
    if (had === undefined) this.topics.set(topic, listener);
    else if (typeof had === "function") this.topics.set(topic, [had, listener]);
    else had.push(listener);
    return () => {
      const now = this.topics.get(topic);
      if (now === undefined) return;
      if (typeof now === "function") {
        if (now === listener) this.topics.delete(topic);
        return;
      }
      const i = now.indexOf(listener);
      if (i !== -1) now.splice(i, 1);
      if (now.length === 0) this.topics.delete(topic);
      else if (now.length === 1) this.topics.set(topic, now[0] as BusListener);
    };
  }

  tap(listener: BusTap): () => void {
    this.taps = [...this.taps, listener];
    return () => {
      this.taps = this.taps.filter((t) => t !== listener);
    };
  }

  close(): void {
    this.topics.clear();
    this.taps = [];
  }
}
