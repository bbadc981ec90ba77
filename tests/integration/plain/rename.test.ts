/**
 * A person at nc in a room that is renamed (draft/channel-rename) is told the
 * new name and keeps talking in the same room under it.
 */
import { afterEach, expect, test } from "bun:test";
import { ircUser, type LineClient, plainUser, startServer, type TestServer } from "./harness.ts";

let srv: TestServer | undefined;
const clients: LineClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv?.stop();
  srv = undefined;
});

test("a plain user follows a RENAME of its room", async () => {
  srv = startServer();
  const op = await ircUser(srv.port, "op"); // first in #lobby: its operator
  const ann = await plainUser(srv.port, "ann");
  clients.push(op, ann);
  await op.waitFor(/:ann!\S+ JOIN :?#lobby$/);
  op.send("RENAME #lobby #hall :moved");
  await ann.waitFor("*** #lobby is now called #hall (moved).");
  ann.send("still here");
  expect(await op.waitFor(/ PRIVMSG #hall :/)).toMatch(/^:ann!\S+ PRIVMSG #hall :still here$/);
});
