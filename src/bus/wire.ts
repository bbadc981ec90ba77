/**
 * A bus that puts every event through JSON on the way, as a bus between nodes
 * must: what a subscriber receives is a parsed copy, never the publisher's
 * object. Wrapping the in-process bus in it shows that events carry nothing
 * process-local (a Map, a class instance, undefined-valued fields that matter)
 * and that no receiver depends on object identity.
 */
import type { BusListener, BusSubscriber, BusTap, MessageBus } from "./bus.ts";
import type { BusEvent } from "./events.ts";

export class WireBus implements MessageBus {
  /** Each object listener's copying stand-in on the inner bus, by topic, to unlisten it. */
  private readonly standIns = new Map<string, Map<BusSubscriber, BusSubscriber>>();

  constructor(private readonly inner: MessageBus) {}

  publish(topic: string, event: BusEvent): void {
    this.inner.publish(topic, JSON.parse(JSON.stringify(event)) as BusEvent);
  }

  subscribe(topic: string, listener: BusListener): () => void {
    return this.inner.subscribe(topic, (ev) => listener(copy(ev)));
  }

  listen(topic: string, sub: BusSubscriber): void {
    const standIn: BusSubscriber = { busEvent: (ev) => sub.busEvent(copy(ev)) };
    let subs = this.standIns.get(topic);
    if (subs === undefined) {
      subs = new Map();
      this.standIns.set(topic, subs);
    }
    subs.set(sub, standIn);
    this.inner.listen(topic, standIn);
  }

  unlisten(topic: string, sub: BusSubscriber): void {
    const subs = this.standIns.get(topic);
    const standIn = subs?.get(sub);
    if (subs === undefined || standIn === undefined) return;
    subs.delete(sub);
    if (subs.size === 0) this.standIns.delete(topic);
    this.inner.unlisten(topic, standIn);
  }

  tap(listener: BusTap): () => void {
    return this.inner.tap((topic, ev) => listener(topic, copy(ev)));
  }

  close(): void {
    this.inner.close();
  }
}

/** Each receiver gets its own copy, as separate nodes would. */
function copy(ev: BusEvent): BusEvent {
  return JSON.parse(JSON.stringify(ev)) as BusEvent;
}
