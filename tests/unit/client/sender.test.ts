/**
 * Pipe mode checks at the end that every line came back by echo-message. A
 * node that dies after taking a line but before its echo reached us leaves
 * the line in history: the catch-up after the reconnect must confirm it, or
 * pipe mode reports a line lost that everyone saw. History older than the
 * line must not confirm it.
 */
import { expect, test } from "bun:test";
import type { Link } from "../../../src/client/link.ts";
import { Sender } from "../../../src/client/sender.ts";
import { ClientState } from "../../../src/client/state.ts";

function sender(): Sender {
  const state = new ClientState("piper");
  state.caps.add("echo-message");
  const link = { writable: true, write: () => "queued" } as unknown as Link;
  return new Sender({
    state,
    link: () => link,
    emit: () => {},
    noteSent: () => {},
    overflow: () => {},
  });
}

test("a line whose echo was lost is confirmed by the catch-up's history", () => {
  const s = sender();
  s.privmsg("#lobby", "first", false);
  s.privmsg("#lobby", "before the crash", false);
  s.selfMessage("first", new Date(), false);
  expect(s.echoedCount).toBe(1);
  // The link dies; the replay after the reconnect carries the second line.
  s.selfMessage("first", new Date(), true);
  expect(s.echoedCount).toBe(1);
  s.selfMessage("before the crash", new Date(), true);
  expect(s.echoedCount).toBe(2);
  expect(s.sentCount).toBe(2);
  // Replayed again (a second reconnect): counted once only.
  s.selfMessage("before the crash", new Date(), true);
  expect(s.echoedCount).toBe(2);
});

test("history from before the line was sent does not confirm it", () => {
  const s = sender();
  s.privmsg("#lobby", "hi", false);
  s.selfMessage("hi", new Date(Date.now() - 60_000), true);
  expect(s.echoedCount).toBe(0);
  s.selfMessage("hi", new Date(), false);
  expect(s.echoedCount).toBe(1);
});
