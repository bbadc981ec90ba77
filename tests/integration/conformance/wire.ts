/**
 * Helpers for the exact-line conformance tests: ask a question and get every
 * reply line up to a PING round-trip, so a test compares whole answers.
 */
import type { TestClient } from "../../helpers/irc-client.ts";

/** Send `line` and collect every line that arrives up to the PONG that follows it. */
export async function ask(c: TestClient, line: string): Promise<string[]> {
  c.send("PING before");
  await c.expect(/ PONG \S+ :before$/);
  const from = c.lines.length;
  c.send(line);
  c.send("PING done");
  await c.expect(/ PONG \S+ :done$/);
  return c.lines.slice(from, -1);
}

export async function joined(c: TestClient, nick: string, room: string): Promise<void> {
  c.send(`JOIN ${room}`);
  await c.expect(new RegExp(` 366 ${nick} ${room} `));
}
