/**
 * The MessageBus contract, shared by every implementation (the in-process bus
 * today, a Redis bus later). Not a *.test.ts file: each implementation's test
 * calls it. Every event type of bus/events.ts is sent through, and what
 * arrives must equal the event after a JSON round trip.
 */
import { expect, test } from "bun:test";
import type { MessageBus } from "../../../src/bus/bus.ts";
import type { BusEvent, MessageEvent } from "../../../src/bus/events.ts";

const base = {
  source: "a!~a@10.0.0.1",
  time: 1_700_000_000_000,
  msgid: "m0",
  origin: { node: "n1", conn: 7 },
};

const msg = (text: string): MessageEvent => ({
  ...base,
  type: "message",
  command: "PRIVMSG",
  target: "#r",
  text,
  msgid: text,
});

/** One of each event type, as the core publishes them. */
export const EVERY_EVENT: readonly [string, BusEvent][] = [
  ["#r", msg("héllo ✓")],
  ["#r", { ...msg("tagged"), clientTags: [["+draft/reply", "x;y z"]] }],
  [
    "bob",
    { ...base, type: "message", command: "NOTICE", target: "bob", text: "psst", msgid: "m2" },
  ],
  [
    "#r",
    { ...base, type: "tagmsg", target: "#r", msgid: "m3", clientTags: [["+typing", "active"]] },
  ],
  ["#r", { ...base, type: "join", channel: "#r", realname: "Alice A." }],
  ["#r", { ...base, type: "part", channel: "#r" }],
  ["#r", { ...base, type: "part", channel: "#r", reason: "bye" }],
  ["#r", { ...base, type: "kick", channel: "#r", victim: "bob", reason: "spam" }],
  ["#r", { ...base, type: "topic", channel: "#r", text: "" }],
  ["#r", { ...base, type: "mode", channel: "#r", modes: ["+o-v", "bob", "carol"] }],
  ["bob", { ...base, type: "invite", channel: "#vip", invitee: "bob" }],
  ["#r", { ...base, type: "quit", text: "Quit: bye", rooms: ["#r", "#s"] }],
  ["a2", { ...base, type: "nick", text: "a2", rooms: [] }],
  ["#r", { ...base, type: "away", text: "lunch", rooms: ["#r"] }],
  ["#r", { ...base, type: "setname", text: "Alice Liddell", rooms: ["#r"] }],
  ["#r", { ...base, type: "redact", target: "#r", redacted: "m1", reason: "typo" }],
  ["#new", { ...base, type: "rename", channel: "#new", from: "#r", reason: "" }],
];

/** Wait until `got` has `n` events (a networked bus delivers asynchronously). */
async function settle(got: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 200 && got.length < n; i++) await Bun.sleep(5);
}

export function runBusContract(name: string, make: () => MessageBus | Promise<MessageBus>): void {
  test(`${name}: subscribers of a topic get its events in order, other topics do not`, async () => {
    const bus = await make();
    const rooms: string[] = [];
    const users: string[] = [];
    bus.subscribe("#r", (e) => rooms.push(e.type === "message" ? e.text : e.type));
    bus.subscribe("bob", (e) => users.push(e.type));
    bus.publish("#r", msg("1"));
    bus.publish("#r", msg("2"));
    bus.publish("#other", msg("3"));
    await settle(rooms, 2);
    expect(rooms).toEqual(["1", "2"]);
    expect(users).toEqual([]);
    bus.close();
  });

  test(`${name}: every event type arrives equal to its JSON round trip`, async () => {
    const bus = await make();
    const got: [string, BusEvent][] = [];
    for (const topic of new Set(EVERY_EVENT.map(([t]) => t))) {
      bus.subscribe(topic, (e) => got.push([topic, e]));
    }
    for (const [topic, ev] of EVERY_EVENT) bus.publish(topic, ev);
    await settle(got, EVERY_EVENT.length);
    expect(got).toEqual(EVERY_EVENT.map(([t, e]) => [t, JSON.parse(JSON.stringify(e))]));
    bus.close();
  });

  test(`${name}: a tap sees every event on every topic, with its topic`, async () => {
    const bus = await make();
    const seen: string[] = [];
    const stop = bus.tap((topic, e) => seen.push(`${topic} ${e.type}`));
    bus.publish("#r", msg("x"));
    bus.publish("bob", { ...base, type: "invite", channel: "#vip", invitee: "bob" });
    await settle(seen, 2);
    expect(seen).toEqual(["#r message", "bob invite"]);
    stop();
    bus.publish("#r", msg("y"));
    await Bun.sleep(20);
    expect(seen.length).toBe(2);
    bus.close();
  });

  test(`${name}: unsubscribe stops delivery, even from inside a listener`, async () => {
    const bus = await make();
    const got: string[] = [];
    const stop = bus.subscribe("#r", (e) => {
      got.push(e.type === "message" ? e.text : "");
      stop();
    });
    const other: string[] = [];
    bus.subscribe("#r", (e) => other.push(e.type === "message" ? e.text : ""));
    bus.publish("#r", msg("x"));
    bus.publish("#r", msg("y"));
    await settle(other, 2);
    expect(got).toEqual(["x"]);
    expect(other).toEqual(["x", "y"]);
    bus.close();
  });

  test(`${name}: listeners leaving a topic in any order leave the others receiving`, async () => {
    const bus = await make();
    const got: string[] = [];
    const listen = (who: string) => (e: BusEvent) =>
      got.push(`${who}:${e.type === "message" ? e.text : ""}`);
    const stopA = bus.subscribe("#r", listen("a"));
    const stopB = bus.subscribe("#r", listen("b"));
    const stopC = bus.subscribe("#r", listen("c"));
    stopB();
    bus.publish("#r", msg("1"));
    stopA();
    stopA(); // a second call changes nothing
    bus.publish("#r", msg("2"));
    const stopD = bus.subscribe("#r", listen("d"));
    bus.publish("#r", msg("3"));
    stopC();
    stopD();
    bus.publish("#r", msg("4"));
    const stopE = bus.subscribe("#r", listen("e"));
    bus.publish("#r", msg("5"));
    await settle(got, 6);
    await Bun.sleep(20);
    expect(got).toEqual(["a:1", "c:1", "c:2", "c:3", "d:3", "e:5"]);
    stopE();
    bus.close();
  });
  test(`${name}: an object listener gets its topic's events beside a function, until unlisten`, async () => {
    const bus = await make();
    const got: string[] = [];
    const text = (e: BusEvent): string => (e.type === "message" ? e.text : "");
    const alice = { busEvent: (e: BusEvent) => got.push(`alice:${text(e)}`) };
    const bob = { busEvent: (e: BusEvent) => got.push(`bob:${text(e)}`) };
    bus.listen("#r", alice);
    const stopFn = bus.subscribe("#r", (e) => got.push(`fn:${text(e)}`));
    bus.listen("#r", bob);
    bus.listen("bob", bob);
    bus.publish("#r", msg("1"));
    bus.unlisten("#r", alice);
    bus.unlisten("#r", alice); // a second call changes nothing
    bus.publish("#r", msg("2"));
    bus.publish("bob", msg("3"));
    stopFn();
    bus.unlisten("#r", bob);
    bus.publish("#r", msg("4"));
    bus.unlisten("bob", bob);
    bus.publish("bob", msg("5"));
    await settle(got, 6);
    await Bun.sleep(20);
    expect(got).toEqual(["alice:1", "fn:1", "bob:1", "fn:2", "bob:2", "bob:3"]);
    bus.close();
  });
}
