/**
 * In-process bus: publish calls each subscriber synchronously, so a single node
 * delivers in the same turn with no copies and no serialization of the event.
 */
import type { BusListener, BusTap, MessageBus } from "./bus.ts";
import type { BusEvent } from "./events.ts";

export class LocalBus implements MessageBus {
  private readonly topics = new Map<string, BusListener[]>();
  private taps: BusTap[] = [];

  publish(topic: string, event: BusEvent): void {
    for (const t of this.taps) t(topic, event);
    const listeners = this.topics.get(topic);
    if (listeners === undefined) return;
    // One listener is the common case (this node); avoid copying the array for it.
    if (listeners.length === 1) {
      (listeners[0] as BusListener)(event);
      return;
    }
    for (const l of listeners.slice()) l(event);
  }

  subscribe(topic: string, listener: BusListener): () => void {
    let listeners = this.topics.get(topic);
    if (listeners === undefined) {
      listeners = [];
      this.topics.set(topic, listeners);
    }
    listeners.push(listener);
    return () => {
      const list = this.topics.get(topic);
      if (list === undefined) return;
      const i = list.indexOf(listener);
      if (i !== -1) list.splice(i, 1);
      if (list.length === 0) this.topics.delete(topic);
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
