/**
 * The fan-out seam. Handlers publish domain events for a room; every node (today
 * only this process) delivers them to its own local members from its subscription.
 * Events are JSON-safe on purpose, so a Redis pub/sub bus can carry them between
 * `chat serve` nodes later without any handler changing.
 */
import type { BusEvent } from "./events.ts";

export type BusListener = (event: BusEvent) => void;

export interface MessageBus {
  /** Deliver `event` to every subscriber of `topic` (this node's and, later, other nodes'). */
  publish(topic: string, event: BusEvent): void;
  /** Listen on `topic`; returns the function that stops listening. */
  subscribe(topic: string, listener: BusListener): () => void;
  close(): void;
}
