import { describe, expect, test } from "bun:test";
import { handleLine } from "../../../src/client/handlers.ts";
import { canSendMultiline, multilineMessages } from "../../../src/client/multiline.ts";
import { ClientState } from "../../../src/client/state.ts";
import { parse, serialize } from "../../../src/protocol/message.ts";

function feed(state: ClientState, lines: string[]) {
  return lines.flatMap((l) => handleLine(state, parse(l), Date.UTC(2026, 0, 1)));
}

describe("draft/multiline on the client", () => {
  test("a received batch is one message, concat lines joined without a break", () => {
    const st = new ClientState("alice");
    const evs = feed(st, [
      "@msgid=m1;time=2026-01-01T10:00:00.000Z :bob!u@h BATCH +x draft/multiline #dev",
      "@batch=x :bob!u@h PRIVMSG #dev :hello",
      "@batch=x :bob!u@h PRIVMSG #dev :how is ",
      "@batch=x;draft/multiline-concat :bob!u@h PRIVMSG #dev :everyone?",
      ":bob!u@h BATCH -x",
    ]);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({
      type: "message",
      room: "#dev",
      nick: "bob",
      text: "hello\nhow is everyone?",
      msgid: "m1",
    });
  });

  test("a paste becomes BATCH, one PRIVMSG a line (long ones cut with concat), BATCH end", () => {
    const st = new ClientState("alice");
    const long = "x".repeat(900);
    const lines = multilineMessages(st, "#dev", ["one", "", long], "r1").map(serialize);
    expect(lines[0]).toBe("BATCH +r1 draft/multiline #dev");
    expect(lines[1]).toBe("@batch=r1 PRIVMSG #dev one");
    expect(lines[2]).toBe("@batch=r1 PRIVMSG #dev :");
    expect(lines.at(-1)).toBe("BATCH -r1");
    const pieces = lines.slice(3, -1);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.slice(1).every((l) => l.startsWith("@batch=r1;draft/multiline-concat "))).toBe(
      true,
    );
    expect(pieces.map((l) => l.slice(l.lastIndexOf(" ") + 1).replace(/^:/, "")).join("")).toBe(
      long,
    );
    for (const l of lines) expect(Buffer.byteLength(`${l}\r\n`)).toBeLessThanOrEqual(512);
  });
});

describe("multiline limits from CAP LS", () => {
  test("a paste over the server's max-lines or max-bytes is not sent as one message", () => {
    const st = new ClientState("alice");
    for (const c of ["draft/multiline", "batch", "echo-message"]) st.caps.add(c);
    st.capValues.set("draft/multiline", "max-bytes=100,max-lines=3");
    const ok = (lines: string[]) => canSendMultiline(st, { target: "#dev", lines });
    expect(ok(["a", "b", "c"])).toBe(true);
    expect(ok(["a", "b", "c", "d"])).toBe(false);
    expect(ok(["x".repeat(60), "y".repeat(60)])).toBe(false);
    st.caps.delete("echo-message");
    expect(ok(["a", "b"])).toBe(false);
  });
});

describe("search results", () => {
  test("lines of a soju.im/search batch are found results, not traffic nor catch-up points", () => {
    const st = new ClientState("alice");
    feed(st, [":alice!u@h JOIN #dev"]);
    const evs = feed(st, [
      ":srv BATCH +s soju.im/search",
      "@batch=s;msgid=old1;time=2025-05-01T10:00:00.000Z :bob!u@h PRIVMSG #dev :the deploy failed",
      "@batch=s;msgid=old2;time=2025-05-02T10:00:00.000Z :bob!u@h PRIVMSG alice :\x01ACTION deploys\x01",
      ":srv BATCH -s",
    ]);
    expect(evs).toEqual([
      expect.objectContaining({
        type: "message",
        found: true,
        room: "#dev",
        text: "the deploy failed",
        msgid: "old1",
      }),
      expect.objectContaining({
        type: "message",
        found: true,
        kind: "action",
        room: "bob",
        text: "deploys",
      }),
    ]);
    expect(st.lastMsgid.get("#dev")).toBeUndefined();
    // A multi-line result, nested in the search batch, is one found line too.
    const nested = feed(st, [
      ":srv BATCH +s2 soju.im/search",
      "@batch=s2;msgid=ml;time=2025-05-03T10:00:00.000Z :bob!u@h BATCH +m draft/multiline #dev",
      "@batch=m :bob!u@h PRIVMSG #dev :deploy",
      "@batch=m :bob!u@h PRIVMSG #dev :log",
      "@batch=s2 :bob!u@h BATCH -m",
      ":srv BATCH -s2",
    ]);
    expect(nested).toEqual([
      expect.objectContaining({ found: true, text: "deploy\nlog", msgid: "ml" }),
    ]);
    // The same line arriving later as traffic is still shown: results were not marked seen.
    const live = feed(st, ["@msgid=old1 :bob!u@h PRIVMSG #dev :the deploy failed"]);
    expect(live).toHaveLength(1);
  });
});
