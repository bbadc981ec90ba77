/**
 * The fan-out seam. The core publishes every event a user can see on a topic
 * named by the casefolded room or nick it is addressed to (events.ts); each
 * node subscribes to the topics of its own sessions and delivers to them. The
 * history writer taps every event, so each node keeps its own history fed from
 * the bus. In one process the bus is in memory (local.ts); a Redis bus carries
 * the same events between nodes.
 */
import type { BusEvent } from "./events.ts";

export type BusListener = (event: BusEvent) => void;
export type BusTap = (topic: string, event: BusEvent) => void;

/**
 * A listener that is an object with a method: one per idle session (its nick's topic), so
 * subscribing it costs no closure and no stop function (two closures and their scopes were
 * ~180 bytes a session, bench/idle-heap.ts --snapshot). Stopped with `unlisten`.
 */
export interface BusSubscriber {
  busEvent(event: BusEvent): void;
}

export interface MessageBus {
  /** Deliver `event` to every subscriber of `topic` (this node's and other nodes'). */
  publish(topic: string, event: BusEvent): void;
  /** Listen on `topic`; returns the function that stops listening. */
  subscribe(topic: string, listener: BusListener): () => void;
  /** Listen on `topic` with an object; `unlisten(topic, sub)` stops it. */
  listen(topic: string, sub: BusSubscriber): void;
  unlisten(topic: string, sub: BusSubscriber): void;
  /** Listen to every event on every topic (the history writer); returns the stop function. */
  tap(listener: BusTap): () => void;
  close(): void;
  /**
   * Seconds from another node's publishing of the last event read to its
   * delivery here (the metrics' bus lag); absent on an in-process bus.
   */
  readonly lagSeconds?: number;
}
