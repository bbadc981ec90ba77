/**
 * Pipe mode checks at the end that every line came back by echo-message. A
 * node that dies after taking a line but before its echo reached us leaves
 * the line in history: the catch-up after the reconnect must confirm it, or
 * pipe mode reports a line lost that everyone saw, also when we are back
 * under another nick while the dead node's hold on ours lasts. History older
 * than the line, or another person's line, must not confirm it.
 */
import { expect, test } from "bun:test";
import type { Link } from "../../../src/client/link.ts";
import { Sender } from "../../../src/client/sender.ts";
import { ClientState } from "../../../src/client/state.ts";

function sender(state = new ClientState("piper")): Sender {
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
  s.messageSeen("piper", "first", new Date(), false, true);
  expect(s.echoedCount).toBe(1);
  // The link dies; the replay after the reconnect carries the second line.
  s.messageSeen("piper", "first", new Date(), true, false);
  expect(s.echoedCount).toBe(1);
  s.messageSeen("piper", "before the crash", new Date(), true, false);
  expect(s.echoedCount).toBe(2);
  expect(s.sentCount).toBe(2);
  // Replayed again (a second reconnect): counted once only.
  s.messageSeen("piper", "before the crash", new Date(), true, false);
  expect(s.echoedCount).toBe(2);
});

test("history from before the line was sent does not confirm it", () => {
  const s = sender();
  s.privmsg("#lobby", "hi", false);
  s.messageSeen("piper", "hi", new Date(Date.now() - 60_000), true, true);
  expect(s.echoedCount).toBe(0);
  s.messageSeen("piper", "hi", new Date(), false, true);
  expect(s.echoedCount).toBe(1);
});

test("back under another nick, the catch-up still confirms what we said under ours, and only that", () => {
  const state = new ClientState("piper");
  const s = sender(state);
  s.privmsg("#lobby", "before the crash", false);
  // The reconnect got "piper_": the dead node still held "piper".
  state.nick = "piper_";
  s.messageSeen("bob", "before the crash", new Date(), true, false);
  expect(s.echoedCount).toBe(0);
  s.messageSeen("Piper", "before the crash", new Date(), true, false);
  expect(s.echoedCount).toBe(1);
  // A line sent as piper_ is confirmed only by piper_'s history.
  s.privmsg("#lobby", "after", false);
  s.messageSeen("piper", "after", new Date(), true, false);
  expect(s.echoedCount).toBe(1);
  s.messageSeen("piper_", "after", new Date(), true, true);
  expect(s.echoedCount).toBe(2);
});
