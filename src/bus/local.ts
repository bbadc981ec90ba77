/**
 * In-process bus: publish calls each subscriber synchronously, so a single node
 * delivers in the same turn with no copies and no serialization of the event.
 */
import type { BusListener, MessageBus } from "./bus.ts";
import type { BusEvent } from "./events.ts";

export class LocalBus implements MessageBus {
  private readonly topics = new Map<string, BusListener[]>();

  publish(topic: string, event: BusEvent): void {
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

  close(): void {
    this.topics.clear();
  }
}
