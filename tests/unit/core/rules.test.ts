/**
 * Room rules (src/core/rules.ts) over in-memory rooms: the channel modes of
 * issue 12 (+s +p +e +I +C, `+b m:` mutes) and what each one lets through.
 */
import { describe, expect, test } from "bun:test";
import type { ModeChange } from "../../../src/core/api.ts";
import { DEFAULT_LIMITS } from "../../../src/core/limits.ts";
import {
  applyModes,
  isBanned,
  isMuted,
  joinRefusal,
  normalizeMask,
  sendRefusal,
} from "../../../src/core/rules.ts";
import { Room, Session, VOICE } from "../../../src/core/state.ts";
import type { Conn } from "../../../src/transport/conn.ts";

const conn: Conn = {
  remoteAddress: "127.0.0.1",
  send() {},
  close() {},
  queuedBytes: 0,
  closed: false,
};
const host = { input() {}, overlong() {}, closed() {}, nickEvent() {} };

let nextId = 1;
function user(nick: string): Session {
  const s = new Session(nextId++, conn, host, 0);
  s.user = `~${nick}`;
  s.registered = true;
  s.setIdentity(nick, nick.toLowerCase());
  return s;
}

const op = { prefix: "op!~op@127.0.0.1" };

function apply(room: Room, ...changes: ModeChange[]) {
  return applyModes(room, changes, op, 1000, DEFAULT_LIMITS, () => undefined);
}

describe("ban exceptions (+e)", () => {
  test("an exception lets a banned user join and speak", () => {
    const room = new Room("#r", 0);
    const bob = user("bob");
    apply(room, { sign: "+", mode: "b", param: "*!*@127.0.0.1" });
    expect(joinRefusal(room, bob, undefined)?.code).toBe("bannedFromChan");
    expect(apply(room, { sign: "+", mode: "e", param: "bob" }).modes).toEqual(["+e", "bob!*@*"]);
    expect(isBanned(room, bob.prefix)).toBe(false);
    expect(joinRefusal(room, bob, undefined)).toBeUndefined();
    expect(joinRefusal(room, user("carol"), undefined)?.code).toBe("bannedFromChan");
  });

  test("removing an exception that is not there changes nothing", () => {
    const room = new Room("#r", 0);
    expect(apply(room, { sign: "-", mode: "e", param: "bob" }).modes).toEqual([]);
    expect(room.exceptions).toEqual([]);
  });
});

describe("invite exceptions (+I)", () => {
  test("a matching user joins a +i room without an invitation; others do not", () => {
    const room = new Room("#r", 0);
    apply(room, { sign: "+", mode: "i" }, { sign: "+", mode: "I", param: "bob!*@*" });
    expect(joinRefusal(room, user("bob"), undefined)).toBeUndefined();
    expect(joinRefusal(room, user("carol"), undefined)?.code).toBe("inviteOnlyChan");
  });

  test("+I does not override a ban", () => {
    const room = new Room("#r", 0);
    apply(room, { sign: "+", mode: "i" }, { sign: "+", mode: "I", param: "bob" });
    apply(room, { sign: "+", mode: "b", param: "bob" });
    expect(joinRefusal(room, user("bob"), undefined)?.code).toBe("bannedFromChan");
  });
});

describe("mute extban (+b m:mask)", () => {
  test("a muted member may join but not speak; voice lets them speak", () => {
    const room = new Room("#r", 0);
    const bob = user("bob");
    expect(apply(room, { sign: "+", mode: "b", param: "m:bob" }).modes).toEqual([
      "+b",
      "m:bob!*@*",
    ]);
    expect(isMuted(room, bob.prefix)).toBe(true);
    expect(joinRefusal(room, bob, undefined)).toBeUndefined();
    room.members.set(bob, 0);
    expect(sendRefusal(room, bob, "hi")?.code).toBe("cannotSendToChan");
    room.members.set(bob, VOICE);
    expect(sendRefusal(room, bob, "hi")).toBeUndefined();
  });

  test("an exception lifts a mute", () => {
    const room = new Room("#r", 0);
    const bob = user("bob");
    const carol = user("carol");
    room.members.set(bob, 0);
    room.members.set(carol, 0);
    apply(room, { sign: "+", mode: "b", param: "m:*!*@*" }, { sign: "+", mode: "e", param: "bob" });
    expect(sendRefusal(room, bob, "hi")).toBeUndefined();
    expect(sendRefusal(room, carol, "hi")?.code).toBe("cannotSendToChan");
  });

  test("the mask after m: is normalized like a ban's", () => {
    expect(normalizeMask("m:bob")).toBe("m:bob!*@*");
    expect(normalizeMask("m:")).toBe("m:*!*@*");
  });
});

describe("no CTCP (+C)", () => {
  test("refuses a CTCP but not /me (ACTION) or plain text", () => {
    const room = new Room("#r", 0);
    const bob = user("bob");
    room.members.set(bob, 0);
    apply(room, { sign: "+", mode: "C" });
    expect(sendRefusal(room, bob, "\x01VERSION\x01")?.message).toContain("+C");
    expect(sendRefusal(room, bob, "\x01ACTION waves\x01")).toBeUndefined();
    expect(sendRefusal(room, bob, "hello")).toBeUndefined();
  });
});

describe("secret and private (+s, +p)", () => {
  test("are flag modes that show in the room's visibility and mode string", () => {
    const room = new Room("#r", 0);
    expect(room.visibility).toBe("public");
    expect(apply(room, { sign: "+", mode: "p" }).modes).toEqual(["+p"]);
    expect(room.visibility).toBe("private");
    apply(room, { sign: "+", mode: "s" });
    expect(room.visibility).toBe("secret");
    expect(room.modeString(true)[0]).toBe("+npst");
    expect(apply(room, { sign: "+", mode: "s" }).modes).toEqual([]);
  });

  test("are kept in the stored flags", () => {
    const room = new Room("#r", 0);
    apply(room, { sign: "+", mode: "s" }, { sign: "+", mode: "C" });
    expect(room.persistent).toBe(true);
    expect(Room.fromState(room.toState()).visibility).toBe("secret");
    expect(Room.fromState(room.toState()).flags.has("C")).toBe(true);
  });
});

describe("list limits", () => {
  test("each list is capped on its own at maxBansPerRoom", () => {
    const room = new Room("#r", 0);
    const limits = { ...DEFAULT_LIMITS, maxBansPerRoom: 2 };
    const add = (mode: string, param: string) =>
      applyModes(room, [{ sign: "+", mode, param }], op, 0, limits, () => undefined).modes;
    expect(add("e", "a")).toEqual(["+e", "a!*@*"]);
    expect(add("e", "b")).toEqual(["+e", "b!*@*"]);
    expect(add("e", "c")).toEqual([]);
    expect(add("I", "c")).toEqual(["+I", "c!*@*"]);
    expect(room.exceptions.length).toBe(2);
  });
});
