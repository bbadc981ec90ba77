/**
 * Small steps the wire-level tests of IRCv3 capabilities share (with TestClient).
 */
import type { TestClient } from "./irc-client.ts";
import type { TestServer } from "./server.ts";

/** Round-trip a PING so every earlier reply has arrived; the lines since `from`, the PONG left out. */
export async function linesSince(c: TestClient, from: number): Promise<string[]> {
  c.send("PING sync");
  await c.expect(/PONG \S+ :?sync$/);
  return c.lines.slice(from, -1);
}

/** JOIN `room` and wait for its end of NAMES. */
export async function joinRoom(c: TestClient, room: string): Promise<void> {
  c.send(`JOIN ${room}`);
  await c.expect(new RegExp(` 366 \\S+ ${room} `));
}

/** The capability names CAP LS 302 offers a client of `t` (continuation lines included). */
export async function offeredCaps(t: TestServer): Promise<string[]> {
  const c = await t.client(`ls${Math.floor(Math.random() * 1e6)}`);
  c.send("CAP LS 302");
  const names: string[] = [];
  for (;;) {
    const ls = await c.expect(/ CAP \S+ LS /);
    names.push(...ls.slice(ls.lastIndexOf(" :") + 2).split(" "));
    if (!/ LS \* /.test(ls)) break;
  }
  return names.map((cap) => cap.split("=")[0] as string);
}
