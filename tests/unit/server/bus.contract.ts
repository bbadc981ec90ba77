/**
 * The MessageBus contract, shared by every implementation (LocalBus today, a
 * Redis bus later). Not a *.test.ts file: each implementation's test calls it.
 */
import { expect, test } from "bun:test";
import type { MessageBus } from "../../../src/bus/bus.ts";
import type { BusEvent } from "../../../src/bus/events.ts";

const ev = (text: string): BusEvent => ({
  type: "message",
  target: "#r",
  command: "PRIVMSG",
  source: "a!u@h",
  text,
  msgid: text,
  time: 0,
  senderId: 1,
});

/** Wait until `got` has `n` events (a networked bus delivers asynchronously). */
async function settle(got: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 200 && got.length < n; i++) await Bun.sleep(5);
}

export function runBusContract(name: string, make: () => MessageBus): void {
  test(`${name}: subscribers of a topic get its events in order, other topics do not`, async () => {
    const bus = make();
    const rooms: string[] = [];
    const users: string[] = [];
    bus.subscribe("rooms", (e) => rooms.push(e.type === "message" ? e.text : e.type));
    bus.subscribe("users", (e) => users.push(e.type));
    bus.publish("rooms", ev("1"));
    bus.publish("rooms", ev("2"));
    await settle(rooms, 2);
    expect(rooms).toEqual(["1", "2"]);
    expect(users).toEqual([]);
    bus.close();
  });

  test(`${name}: events survive a JSON round trip unchanged`, async () => {
    const bus = make();
    const got: BusEvent[] = [];
    bus.subscribe("rooms", (e) => got.push(e));
    const sent = ev("héllo ✓");
    bus.publish("rooms", sent);
    await settle(got, 1);
    expect(JSON.parse(JSON.stringify(got[0]))).toEqual(sent);
    bus.close();
  });

  test(`${name}: unsubscribe stops delivery, even from inside a listener`, async () => {
    const bus = make();
    const got: string[] = [];
    const stop = bus.subscribe("rooms", (e) => {
      got.push(e.type === "message" ? e.text : "");
      stop();
    });
    const other: string[] = [];
    bus.subscribe("rooms", (e) => other.push(e.type === "message" ? e.text : ""));
    bus.publish("rooms", ev("x"));
    bus.publish("rooms", ev("y"));
    await settle(other, 2);
    expect(got).toEqual(["x"]);
    expect(other).toEqual(["x", "y"]);
    bus.close();
  });
}
