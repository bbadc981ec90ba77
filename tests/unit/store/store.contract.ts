/**
 * The HistoryStore contract, run against every implementation (memory.test.ts,
 * sqlite.test.ts). Not a *.test.ts file, so it never runs on its own.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { HistoryEntry, HistoryStore, RoomState } from "../../../src/store/store.ts";

export interface ContractSubject {
  /** A fresh, empty store keeping `history` messages per conversation. */
  make(history: number): HistoryStore;
  /** Bring retention up to date (background work in real stores). */
  settle?(store: HistoryStore): void;
  /** For file-backed stores: close `store` and open the same database again. */
  reopen?(store: HistoryStore, history: number): HistoryStore;
}

const T0 = 1_700_000_000_000;

function msg(key: string, i: number, over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    msgid: `${key.replace(/[^a-z]/g, "")}-${i}`,
    time: T0 + i * 1000,
    key,
    target: key.startsWith("#") ? key : "bob",
    source: "alice!a@127.0.0.1",
    command: "PRIVMSG",
    text: `line ${i}`,
    ...over,
  };
}

const texts = (es: HistoryEntry[]): string[] => es.map((e) => e.text);
const range = (from: number, to: number): string[] => {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`line ${i}`);
  return out;
};

export function runStoreContract(name: string, subject: ContractSubject): void {
  describe(`${name} honours the HistoryStore contract`, () => {
    const open: HistoryStore[] = [];
    const make = (history = 1000): HistoryStore => {
      const s = subject.make(history);
      open.push(s);
      return s;
    };
    /** A store holding lines 1..n of #dev (time T0 + i s). */
    const filled = (n: number, history = 1000): HistoryStore => {
      const s = make(history);
      for (let i = 1; i <= n; i++) s.append(msg("#dev", i));
      s.flush();
      return s;
    };

    afterEach(() => {
      for (const s of open.splice(0)) {
        try {
          s.close();
        } catch {
          // already closed by the test
        }
      }
    });

    test("moveConversation gives a conversation a new key and target, merged in order", () => {
      const s = make(4);
      for (const i of [1, 3]) s.append(msg("#old", i));
      for (const i of [2, 4, 5]) s.append(msg("#new", i, { msgid: `n-${i}` }));
      s.flush();
      s.moveConversation("#old", "#new", "#New");
      subject.settle?.(s);
      expect(s.latest("#old", 10)).toEqual([]);
      const moved = s.latest("#new", 10);
      // Five messages over a limit of four: the oldest goes.
      expect(texts(moved)).toEqual(["line 2", "line 3", "line 4", "line 5"]);
      expect(moved.find((e) => e.text === "line 3")?.target).toBe("#New");
      expect(texts(s.around("#new", { msgid: "old-3" }, 1))).toEqual(["line 3"]);
    });

    test("redact forgets one message of one conversation, even one not yet flushed", () => {
      const s = filled(3, 4);
      s.append(msg("#dev", 4));
      expect(s.redact("#ops", "dev-2")).toBe(false);
      expect(s.redact("#dev", "dev-2")).toBe(true);
      expect(s.redact("#dev", "dev-2")).toBe(false);
      expect(s.redact("#dev", "dev-4")).toBe(true);
      expect(texts(s.latest("#dev", 10))).toEqual(["line 1", "line 3"]);
      expect(s.around("#dev", { msgid: "dev-2" }, 3)).toEqual([]);
      // Retention counts what is left: five messages now, so only the oldest goes.
      for (const i of [5, 6, 7]) s.append(msg("#dev", i));
      s.flush();
      subject.settle?.(s);
      expect(texts(s.latest("#dev", 10))).toEqual(["line 3", "line 5", "line 6", "line 7"]);
    });

    test("latest returns the newest messages oldest first, all fields intact", () => {
      const s = make();
      s.append(msg("#dev", 1, { command: "NOTICE", text: "\u0001ACTION waves\u0001 ünïcode" }));
      for (let i = 2; i <= 10; i++) s.append(msg("#dev", i));
      s.flush();
      expect(texts(s.latest("#dev", 3))).toEqual(range(8, 10));
      const all = s.latest("#dev", 100);
      expect(all).toHaveLength(10);
      expect(all[0]).toEqual(
        msg("#dev", 1, { command: "NOTICE", text: "\u0001ACTION waves\u0001 ünïcode" }),
      );
      expect(s.latest("#other", 10)).toEqual([]);
      expect(s.latest("#dev", 0)).toEqual([]);
    });

    test("conversations are kept apart", () => {
      const s = make();
      s.append(msg("#a", 1));
      s.append(msg("#b", 2));
      s.append(msg("alice bob", 3));
      s.append(msg("#a", 4));
      s.flush();
      expect(texts(s.latest("#a", 10))).toEqual(["line 1", "line 4"]);
      expect(texts(s.latest("#b", 10))).toEqual(["line 2"]);
      expect(texts(s.latest("alice bob", 10))).toEqual(["line 3"]);
    });

    test("messages with equal times keep arrival order", () => {
      const s = make();
      for (let i = 1; i <= 5; i++) s.append(msg("#dev", i, { time: T0 }));
      s.flush();
      expect(texts(s.latest("#dev", 5))).toEqual(range(1, 5));
      expect(texts(s.before("#dev", { msgid: "dev-4" }, 2))).toEqual(range(2, 3));
      expect(texts(s.after("#dev", { msgid: "dev-2" }, 2))).toEqual(range(3, 4));
    });

    test("a clock stepping back files a message by its time, and pages stay consistent", () => {
      const s = make();
      s.append(msg("#dev", 1));
      s.append(msg("#dev", 3));
      s.append(msg("#dev", 2)); // arrives last, stamped earlier
      s.append(msg("#dev", 4));
      s.flush();
      expect(texts(s.latest("#dev", 10))).toEqual(range(1, 4));
      expect(texts(s.before("#dev", { msgid: "dev-3" }, 10))).toEqual(range(1, 2));
      expect(texts(s.after("#dev", { msgid: "dev-2" }, 10))).toEqual(range(3, 4));
    });

    test("a msgid stored twice is kept once", () => {
      const s = make();
      s.append(msg("#dev", 1));
      s.flush();
      s.append(msg("#dev", 1));
      s.append(msg("#dev", 2));
      s.flush();
      expect(texts(s.latest("#dev", 10))).toEqual(range(1, 2));
    });

    test("before: by msgid and by time, strictly, the newest ones", () => {
      const s = filled(50);
      expect(texts(s.before("#dev", { msgid: "dev-20" }, 5))).toEqual(range(15, 19));
      expect(texts(s.before("#dev", { time: T0 + 20_000 }, 5))).toEqual(range(15, 19));
      expect(texts(s.before("#dev", { time: T0 + 20_500 }, 3))).toEqual(range(18, 20));
      expect(texts(s.before("#dev", { msgid: "dev-3" }, 10))).toEqual(range(1, 2));
      expect(s.before("#dev", { msgid: "dev-1" }, 10)).toEqual([]);
    });

    test("after: by msgid and by time, strictly, the oldest ones", () => {
      const s = filled(50);
      expect(texts(s.after("#dev", { msgid: "dev-20" }, 5))).toEqual(range(21, 25));
      expect(texts(s.after("#dev", { time: T0 + 20_000 }, 5))).toEqual(range(21, 25));
      expect(texts(s.after("#dev", { time: T0 + 19_500 }, 2))).toEqual(range(20, 21));
      expect(texts(s.after("#dev", { msgid: "dev-48" }, 10))).toEqual(range(49, 50));
      expect(s.after("#dev", { msgid: "dev-50" }, 10)).toEqual([]);
    });

    test("around: centred on the reference, a msgid's own message included", () => {
      const s = filled(50);
      expect(texts(s.around("#dev", { msgid: "dev-20" }, 5))).toEqual(range(18, 22));
      expect(texts(s.around("#dev", { time: T0 + 20_000 }, 4))).toEqual(range(18, 21));
      // Near an end the short side is made up from the other.
      expect(texts(s.around("#dev", { msgid: "dev-2" }, 6))).toEqual(range(1, 6));
      expect(texts(s.around("#dev", { msgid: "dev-49" }, 6))).toEqual(range(45, 50));
      expect(texts(s.around("#dev", { msgid: "dev-10" }, 1))).toEqual(range(10, 10));
    });

    test("between: exclusive bounds, either order, counted from the first ref", () => {
      const s = filled(50);
      expect(texts(s.between("#dev", { msgid: "dev-10" }, { msgid: "dev-15" }, 100))).toEqual(
        range(11, 14),
      );
      expect(texts(s.between("#dev", { msgid: "dev-15" }, { msgid: "dev-10" }, 100))).toEqual(
        range(11, 14),
      );
      expect(texts(s.between("#dev", { msgid: "dev-10" }, { msgid: "dev-40" }, 3))).toEqual(
        range(11, 13),
      );
      expect(texts(s.between("#dev", { msgid: "dev-40" }, { msgid: "dev-10" }, 3))).toEqual(
        range(37, 39),
      );
      expect(texts(s.between("#dev", { time: T0 + 10_000 }, { time: T0 + 13_000 }, 100))).toEqual(
        range(11, 12),
      );
      expect(texts(s.between("#dev", { msgid: "dev-10" }, { time: T0 + 13_000 }, 100))).toEqual(
        range(11, 12),
      );
      expect(texts(s.between("#dev", { time: T0 + 13_000 }, { msgid: "dev-10" }, 1))).toEqual(
        range(12, 12),
      );
      expect(s.between("#dev", { msgid: "dev-10" }, { msgid: "dev-11" }, 10)).toEqual([]);
    });

    test("a msgid from another conversation or never stored gives nothing", () => {
      const s = filled(10);
      s.append(msg("#other", 99));
      s.flush();
      expect(s.before("#dev", { msgid: "other-99" }, 5)).toEqual([]);
      expect(s.after("#dev", { msgid: "nope" }, 5)).toEqual([]);
      expect(s.around("#dev", { msgid: "nope" }, 5)).toEqual([]);
      expect(s.between("#dev", { msgid: "dev-1" }, { msgid: "nope" }, 5)).toEqual([]);
    });

    test("a few thousand messages page back completely and in order", () => {
      const s = make(10_000);
      for (let i = 1; i <= 3000; i++) s.append(msg("#big", i));
      s.flush();
      const seen: string[] = [];
      let page = s.latest("#big", 100);
      for (let guard = 0; page.length > 0 && guard < 100; guard++) {
        seen.unshift(...texts(page));
        const first = page[0];
        if (first === undefined) break;
        page = s.before("#big", { msgid: first.msgid }, 100);
      }
      expect(seen).toEqual(range(1, 3000));
    });

    test("targets: channels asked for, private chats of a nick, ordered from `from`", () => {
      const s = make();
      s.append(msg("#a", 1));
      s.append(msg("alice bob", 2, { target: "bob", source: "alice!a@h" }));
      s.append(msg("#b", 3));
      s.append(msg("alice carol", 4, { target: "alice", source: "Carol!c@h" }));
      s.append(msg("bob carol", 5));
      s.append(msg("#a", 6));
      s.append(msg("#secret", 7));
      s.flush();
      const lo = T0;
      const hi = T0 + 100_000;
      const latestFirst = s.targets(["#a", "#b"], hi, lo, 10, "alice");
      expect(latestFirst.map((t) => [t.key, t.time])).toEqual([
        ["#a", T0 + 6000],
        ["alice carol", T0 + 4000],
        ["#b", T0 + 3000],
        ["alice bob", T0 + 2000],
      ]);
      expect(latestFirst[1]).toMatchObject({ target: "alice", source: "Carol!c@h" });
      const earliestFirst = s.targets(["#a", "#b"], lo, hi, 2, "alice");
      expect(earliestFirst.map((t) => t.key)).toEqual(["alice bob", "#b"]);
      // The newest message inside the range counts, not one after it.
      expect(s.targets(["#a"], T0 + 5000, T0, 10).map((t) => t.time)).toEqual([T0 + 1000]);
      expect(s.targets(["#a"], hi, lo, 10).map((t) => t.key)).toEqual(["#a"]);
      expect(s.targets(["#none"], hi, lo, 10)).toEqual([]);
    });

    test("retention keeps the newest `history` messages per conversation", () => {
      const s = make(5);
      for (let i = 1; i <= 12; i++) s.append(msg("#dev", i));
      s.append(msg("#quiet", 100));
      s.flush();
      for (let i = 13; i <= 20; i++) s.append(msg("#dev", i));
      s.flush();
      subject.settle?.(s);
      expect(texts(s.latest("#dev", 100))).toEqual(range(16, 20));
      expect(texts(s.before("#dev", { msgid: "dev-18" }, 100))).toEqual(range(16, 17));
      expect(s.after("#dev", { msgid: "dev-3" }, 100)).toEqual([]);
      expect(texts(s.latest("#quiet", 10))).toEqual(["line 100"]);
    });

    test("room state round-trips, replaces by casefolded name, and deletes", () => {
      const s = make();
      const dev: RoomState = {
        name: "#Dev",
        created: T0,
        topic: { text: "ship it", setBy: "alice!a@h", setAt: T0 + 5 },
        flags: "imnt",
        key: "sesame",
        limit: 42,
        bans: [
          { mask: "*!*@10.0.0.1", setBy: "alice", setAt: T0 + 1 },
          { mask: "troll!*@*", setBy: "bob", setAt: T0 + 2 },
        ],
      };
      const plain: RoomState = { name: "#plain", created: T0 + 9, flags: "nt", bans: [] };
      s.saveRoom(dev);
      s.saveRoom(plain);
      const byName = (rooms: RoomState[]) => new Map(rooms.map((r) => [r.name, r]));
      let rooms = byName(s.loadRooms());
      expect(rooms.get("#Dev")).toEqual(dev);
      expect(rooms.get("#plain")).toEqual(plain);

      const updated: RoomState = { name: "#Dev", created: T0, flags: "nt", bans: [] };
      s.saveRoom(updated);
      rooms = byName(s.loadRooms());
      expect(rooms.size).toBe(2);
      expect(rooms.get("#Dev")).toEqual(updated);

      s.deleteRoom("#DEV");
      expect(s.loadRooms()).toEqual([plain]);
    });

    test("the +e and +I lists round-trip with the room and go with it", () => {
      const s = make();
      const room: RoomState = {
        name: "#lists",
        created: T0,
        flags: "int",
        bans: [{ mask: "m:troll!*@*", setBy: "alice", setAt: T0 + 1 }],
        exceptions: [{ mask: "friend!*@*", setBy: "alice", setAt: T0 + 2 }],
        invexes: [
          { mask: "*!*@10.0.0.*", setBy: "bob", setAt: T0 + 3 },
          { mask: "guest!*@*", setBy: "bob", setAt: T0 + 4 },
        ],
      };
      s.saveRoom(room);
      expect(s.loadRooms()).toEqual([room]);
      const emptied: RoomState = { name: "#lists", created: T0, flags: "int", bans: [] };
      s.saveRoom(emptied);
      expect(s.loadRooms()).toEqual([emptied]);
      s.saveRoom(room);
      s.deleteRoom("#LISTS");
      expect(s.loadRooms()).toEqual([]);
    });

    test("search finds every word, in the conversations asked, newest matches oldest first", () => {
      const s = make(1000);
      const say = (key: string, i: number, text: string, source = "alice!a@h") =>
        s.append(msg(key, i, { text, source }));
      say("#dev", 1, "the Build is green");
      say("#dev", 2, "build broke again", "bob!b@h");
      say("#dev", 3, "Café build done");
      say("#ops", 4, "build the ops box");
      say("alice bob", 5, "private build note");
      say("carol dave", 6, "their build");
      s.flush();
      const q = (words: string, over = {}) => ({ words, limit: 10, ...over });
      const texts2 = (es: HistoryEntry[]) => es.map((e) => e.text);
      expect(texts2(s.search(["#dev"], q("build")))).toEqual([
        "the Build is green",
        "build broke again",
        "Café build done",
      ]);
      // Every word must occur; case and accents do not matter; word order does not.
      expect(texts2(s.search(["#dev"], q("BUILD cafe")))).toEqual(["Café build done"]);
      expect(texts2(s.search(["#dev"], q("green build")))).toEqual(["the Build is green"]);
      expect(s.search(["#dev"], q("buil"))).toEqual([]);
      // Only the keys asked, plus the nick's own private conversations.
      expect(texts2(s.search(["#dev", "#ops"], q("build"), "bob")).length).toBe(5);
      expect(texts2(s.search([], q("build"), "carol"))).toEqual(["their build"]);
      // The newest `limit`, given oldest first; from, after and before narrow it.
      expect(texts2(s.search(["#dev"], q("build", { limit: 2 })))).toEqual([
        "build broke again",
        "Café build done",
      ]);
      expect(texts2(s.search(["#dev"], q("build", { from: "bob" })))).toEqual([
        "build broke again",
      ]);
      expect(
        texts2(s.search(["#dev"], q("build", { after: T0 + 1000, before: T0 + 3000 }))),
      ).toEqual(["build broke again"]);
      // Query syntax is not passed through: quotes and operators are only words.
      expect(s.search(["#dev"], q('build" OR "x'))).toEqual([]);
      expect(s.search(["#dev"], q("*"))).toEqual([]);
    });

    test("read markers are kept per nick and conversation, and replaced", () => {
      const s = make();
      expect(s.readMarker("alice", "#dev")).toBeUndefined();
      s.saveReadMarker("alice", "#dev", T0);
      s.saveReadMarker("alice", "bob", T0 + 5);
      s.saveReadMarker("carol", "#dev", T0 + 9);
      s.saveReadMarker("alice", "#dev", T0 + 2);
      expect(s.readMarker("alice", "#dev")).toBe(T0 + 2);
      expect(s.readMarker("alice", "bob")).toBe(T0 + 5);
      expect(s.readMarker("carol", "#dev")).toBe(T0 + 9);
      expect(s.readMarker("bob", "#dev")).toBeUndefined();
    });

    if (subject.reopen !== undefined) {
      const reopen = subject.reopen;
      test("reopening keeps read markers", () => {
        let s = make(1000);
        s.saveReadMarker("alice", "#dev", T0 + 7);
        s = reopen(s, 1000);
        open.push(s);
        expect(s.readMarker("alice", "#dev")).toBe(T0 + 7);
      });

      test("reopening the database keeps messages, order and rooms", () => {
        let s = make(1000);
        for (let i = 1; i <= 30; i++) s.append(msg("#dev", i));
        s.append(msg("alice bob", 31));
        s.flush();
        s.append(msg("#dev", 32)); // buffered only: close must flush it
        s.saveRoom({
          name: "#dev",
          created: T0,
          flags: "t",
          bans: [],
          topic: { text: "hi", setBy: "a", setAt: T0 },
        });
        s = reopen(s, 1000);
        open.push(s);
        expect(texts(s.latest("#dev", 100))).toEqual([...range(1, 30), "line 32"]);
        expect(texts(s.before("#dev", { msgid: "dev-10" }, 2))).toEqual(range(8, 9));
        expect(s.targets([], T0 + 100_000, T0, 10, "bob").map((t) => t.key)).toEqual(["alice bob"]);
        expect(s.loadRooms().map((r) => r.topic?.text)).toEqual(["hi"]);
      });

      test("reopening with a lower history limit trims old messages", () => {
        let s = make(1000);
        for (let i = 1; i <= 40; i++) s.append(msg("#dev", i));
        s.flush();
        s = reopen(s, 10);
        open.push(s);
        subject.settle?.(s);
        expect(texts(s.latest("#dev", 100))).toEqual(range(31, 40));
      });
    }
  });
}
