/**
 * In-process bus: publish calls each subscriber synchronously, so a single node
 * delivers in the same turn with no copies and no serialization of the event.
 */
import type { BusListener, BusSubscriber, BusTap, MessageBus } from "./bus.ts";
import type { BusEvent } from "./events.ts";

/** A function (rooms, taps of tests) or an object (sessions' nicks: no closure each). */
type Listener = BusListener | BusSubscriber;

function call(l: Listener, event: BusEvent): void {
  if (typeof l === "function") l(event);
  else l.busEvent(event);
}

export class LocalBus implements MessageBus {
  /**
   * A topic's listener, or its list when it has more than one. Nearly every topic (a session's
   * nick, a room on this node) has exactly one, and a one-element array per idle session was
   * ~50 bytes of heap each (bench/idle-heap.ts).
   */
  private readonly topics = new Map<string, Listener | Listener[]>();
  private taps: BusTap[] = [];

  publish(topic: string, event: BusEvent): void {
    for (const t of this.taps) t(topic, event);
    const listeners = this.topics.get(topic);
    if (listeners === undefined) return;
    if (!Array.isArray(listeners)) {
      call(listeners, event);
      return;
    }
    // A listener may unsubscribe while being called: walk a copy.
    for (const l of listeners.slice()) call(l, event);
  }

  subscribe(topic: string, listener: BusListener): () => void {
    this.add(topic, listener);
    return () => this.remove(topic, listener);
  }

  listen(topic: string, sub: BusSubscriber): void {
    this.add(topic, sub);
  }

  unlisten(topic: string, sub: BusSubscriber): void {
    this.remove(topic, sub);
  }

  private add(topic: string, listener: Listener): void {
    const had = this.topics.get(topic);
    if (had === undefined) this.topics.set(topic, listener);
    else if (!Array.isArray(had)) this.topics.set(topic, [had, listener]);
    else had.push(listener);
  }

  private remove(topic: string, listener: Listener): void {
    const now = this.topics.get(topic);
    if (now === undefined) return;
    if (!Array.isArray(now)) {
      if (now === listener) this.topics.delete(topic);
      return;
    }
    const i = now.indexOf(listener);
    if (i !== -1) now.splice(i, 1);
    if (now.length === 0) this.topics.delete(topic);
    else if (now.length === 1) this.topics.set(topic, now[0] as Listener);
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
