import { afterEach, expect, test } from "bun:test";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { saslClient } from "./helpers.ts";

const CAPS = ["batch", "server-time", "message-tags", "draft/chathistory"];
let t: TestServer;
afterEach(async () => {
  await t.stop();
});

/** The PRIVMSG texts of one CHATHISTORY batch. */
async function history(c: TestClient, query: string): Promise<string[]> {
  c.send(query);
  await c.expect(/ BATCH \+\S+ chathistory /);
  const end = await c.expect(/ BATCH -/);
  return c.lines
    .slice(0, c.lines.indexOf(end))
    .filter((l) => l.includes(" PRIVMSG ") && l.includes("batch="))
    .map((l) => l.slice(l.lastIndexOf(" :") + 2));
}

test("an owner reads a private conversation across sessions; what the nick got before the claim stays hidden", async () => {
  t = await startTestServer();
  const bob = await t.client("bob", { caps: CAPS });
  // Someone holds "alice" unowned and gets a private message, then leaves.
  const before = await t.client("alice");
  bob.send("PRIVMSG alice :for whoever was alice before");
  await before.expect("for whoever was alice before");
  before.close();
  await Bun.sleep(30);

  const owner = await saslClient(t.port, "alice", "alice-secret-1", CAPS);
  bob.send("PRIVMSG alice :for the owner, first session");
  await owner.expect("for the owner, first session");
  owner.close();
  await Bun.sleep(30);

  const again = await saslClient(t.port, "alice", "alice-secret-1", CAPS);
  const seen = await history(again, "CHATHISTORY LATEST bob * 50");
  expect(seen).toEqual(["for the owner, first session"]);
  again.close();
});
