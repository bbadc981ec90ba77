/**
 * draft/event-playback: a room's JOIN, PART, KICK, TOPIC, MODE, QUIT and NICK
 * events kept in history and read back, merged in order with its messages,
 * for clients that negotiated the capability (the spec forbids them to others).
 *
 * Events live under their own conversation key (`!#room`: no channel or
 * private key starts with "!"), so retention keeps N messages and N events per
 * room, join replay and TARGETS see messages only, and the store needs no
 * second kind of row. Each entry's text is the event as JSON, which the IRC
 * front renders with the same code as the live event.
 * Reads over both keys are merged in order by merged-history.ts.
 */
import type { BusEvent } from "../bus/events.ts";
import type { HistoryEntry, HistoryStore, PlaybackCommand } from "../store/store.ts";
import type { HistoryQuery } from "./api.ts";
import { queryMerged } from "./merged-history.ts";

const COMMAND: Partial<Record<BusEvent["type"], PlaybackCommand>> = {
  join: "JOIN",
  part: "PART",
  kick: "KICK",
  topic: "TOPIC",
  mode: "MODE",
  quit: "QUIT",
  nick: "NICK",
};

/** The conversation key of a room's events. */
export function eventsKey(roomKey: string): string {
  return `!${roomKey}`;
}

/** The stored form of an event that crossed room topic `roomKey`, or undefined if it is not played back. */
export function playbackEntry(roomKey: string, ev: BusEvent): HistoryEntry | undefined {
  const command = COMMAND[ev.type];
  if (command === undefined) return undefined;
  // The origin means something only to the node that published it.
  const { origin: _origin, ...stored } = ev;
  return {
    msgid: ev.msgid,
    time: ev.time,
    key: eventsKey(roomKey),
    target: "channel" in ev ? ev.channel : roomKey,
    source: ev.source,
    command,
    text: JSON.stringify(stored),
  };
}

/**
 * Messages (and with `events`, the events) of one room in order, answering `q`
 * as the store answers it for one key. A msgid reference may name a message or
 * an event either way: every msgid a client was shown is a place in the room.
 */
export function queryWithEvents(
  store: HistoryStore,
  roomKey: string,
  q: HistoryQuery,
  limit: number,
  events = true,
): HistoryEntry[] {
  const both = [roomKey, eventsKey(roomKey)];
  return queryMerged(store, events ? both : [roomKey], both, q, limit);
}
