/** `chat admin` arguments: each action's shape, and every mistake a one-line UsageError. */
import { describe, expect, test } from "bun:test";
import { toAdminConfig } from "../../../src/cli/admin-config.ts";
import { jsonLine, textLine } from "../../../src/cli/run-admin.ts";
import { UsageError } from "../../../src/cli/usage-error.ts";

describe("toAdminConfig", () => {
  test("socket actions find the socket beside --db (named after it), or take --socket", () => {
    expect(toAdminConfig({ action: "rooms", db: "/srv/chat/chat.db" })).toEqual({
      action: "rooms",
      socket: "/srv/chat/chat.sock",
      json: false,
    });
    expect(toAdminConfig({ action: "rooms", db: "/srv/chat/other.sqlite" })).toMatchObject({
      socket: "/srv/chat/other.sock",
    });
    expect(toAdminConfig({ action: "users", socket: "/run/x.sock", json: true })).toEqual({
      action: "users",
      socket: "/run/x.sock",
      json: true,
    });
    expect(
      toAdminConfig({ action: "kick", target: "lobby", nick: "bob", db: "/d/c.db", reason: "r" }),
    ).toEqual({ action: "kick", socket: "/d/c.sock", room: "#lobby", nick: "bob", reason: "r" });
    expect(toAdminConfig({ action: "ban", target: "bob", minutes: "30", db: "/d/c.db" })).toEqual({
      action: "ban",
      socket: "/d/c.sock",
      pattern: "bob",
      minutes: 30,
    });
  });

  test("export: room, format and --since as a date", () => {
    expect(
      toAdminConfig({
        action: "export",
        room: "Dev",
        format: "json",
        since: "2026-12-01",
        db: "/d/c.db",
      }),
    ).toEqual({
      action: "export",
      db: "/d/c.db",
      room: "#Dev",
      key: "#dev",
      format: "json",
      since: Date.UTC(2026, 11, 1),
    });
    expect(toAdminConfig({ action: "backup", target: "/tmp/b.db", db: "/d/c.db" })).toEqual({
      action: "backup",
      db: "/d/c.db",
      file: "/tmp/b.db",
    });
  });

  test.each([
    [{}, /missing the action/],
    [{ action: "explode" }, /unknown admin action "explode"/],
    [{ action: "backup" }, /missing the backup FILE/],
    [{ action: "export" }, /missing --room NAME/],
    [{ action: "export", room: "a", format: "xml" }, /--format must be json or text/],
    [{ action: "export", room: "a", since: "last week" }, /--since must be a date/],
    [{ action: "kick", target: "#a" }, /missing the NICK/],
    [{ action: "ban", target: "bob", minutes: "0" }, /--minutes must be a whole number/],
    [{ action: "rooms", target: "extra" }, /unexpected argument "extra"/],
    [{ action: "rooms", db: ":memory:" }, /:memory: keeps nothing/],
  ])("%p is refused", (args, message) => {
    expect(() => toAdminConfig(args)).toThrow(UsageError);
    expect(() => toAdminConfig(args)).toThrow(message);
  });
});

describe("export lines", () => {
  const base = {
    time: Date.UTC(2026, 0, 2, 3, 4, 5),
    msgid: "m1",
    source: "ann!a@h",
    target: "#r",
  };
  test("text reads like a chat log: messages, notices and actions", () => {
    expect(textLine({ ...base, command: "PRIVMSG", text: "hi" })).toBe(
      "[2026-01-02T03:04:05.000Z] <ann> hi",
    );
    expect(textLine({ ...base, command: "NOTICE", text: "note" })).toBe(
      "[2026-01-02T03:04:05.000Z] -ann- note",
    );
    expect(textLine({ ...base, command: "PRIVMSG", text: "\x01ACTION waves\x01" })).toBe(
      "[2026-01-02T03:04:05.000Z] * ann waves",
    );
  });
  test("json is one object a line with an ISO time", () => {
    expect(JSON.parse(jsonLine({ ...base, command: "PRIVMSG", text: "hi" }))).toEqual({
      time: "2026-01-02T03:04:05.000Z",
      msgid: "m1",
      nick: "ann",
      source: "ann!a@h",
      command: "PRIVMSG",
      target: "#r",
      text: "hi",
    });
  });
});
