/**
 * A multi-line paste under a real PTY: one draft/multiline message against
 * the compiled server (received as one BATCH, shown as one message), and
 * against a server without the cap, one message a line after asking.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { ScriptedIrc } from "../../helpers/scripted-irc.ts";
import {
  ensureBinary,
  makeHome,
  type PtyClient,
  type ServerProc,
  spawnPty,
  startServer,
} from "./harness.ts";

const home = makeHome();
const started: PtyClient[] = [];
let server: ServerProc;

beforeAll(async () => {
  ensureBinary();
  server = await startServer(home.env);
}, 120_000);
afterEach(() => {
  for (const c of started.splice(0)) c.kill();
});
afterAll(async () => {
  await server.stop();
  home.cleanup();
});

const paste = (text: string): string => `\x1b[200~${text}\x1b[201~`;

test("a pasted block goes as one draft/multiline message and shows as one", async () => {
  const bob = await TestClient.connect(server.port);
  await bob.register("bob", { caps: ["batch", "draft/multiline", "message-tags"] });
  bob.send("JOIN #lobby");
  await bob.expect(/ 366 bob #lobby /);

  const alice = spawnPty(["join", `127.0.0.1:${server.port}`, "--nick", "alice"], home.env);
  started.push(alice);
  await alice.waitUntil((t) => t.cursorRow().startsWith("[#lobby]"), "the prompt");
  alice.type(paste("first line\nsecond line\nthird line\n"));

  expect(await bob.expect(/BATCH \+/)).toMatch(/:alice!\S+ BATCH \+\S+ draft\/multiline #lobby$/);
  expect(await bob.expect(/PRIVMSG/)).toMatch(/PRIVMSG #lobby :first line$/);
  expect(await bob.expect(/PRIVMSG/)).toMatch(/PRIVMSG #lobby :second line$/);
  expect(await bob.expect(/PRIVMSG/)).toMatch(/PRIVMSG #lobby :third line$/);
  await bob.expect(/BATCH -/);

  // On alice's screen: one message, its lines under each other.
  await alice.waitFor(/<alice> first line\n +second line\n +third line/);
  bob.close();
});

test("without draft/multiline, a long paste asks first and then sends one line each", async () => {
  const fake = new ScriptedIrc((line, send) => {
    if (line.startsWith("CAP LS")) send(":srv CAP * LS :");
    else if (line.startsWith("USER")) send(":srv 001 alice :hi");
    else if (line.startsWith("JOIN")) {
      send(":alice!u@h JOIN #lobby");
      send(":srv 366 alice #lobby :End");
    }
  });
  try {
    const alice = spawnPty(["join", `127.0.0.1:${fake.port}`, "--nick", "alice"], home.env);
    started.push(alice);
    await alice.waitUntil((t) => t.cursorRow().startsWith("[#lobby]"), "the prompt");
    alice.type(paste("a1\na2\na3\na4\na5"));
    await alice.waitFor("Send these 5 lines to #lobby as 5 separate messages?");
    expect(fake.lines.some((l) => l.startsWith("PRIVMSG"))).toBe(false);
    alice.type("yes\r");
    await fake.waitLine(/^PRIVMSG #lobby :?a5$/);
    expect(fake.lines.filter((l) => l.startsWith("PRIVMSG"))).toEqual(
      ["a1", "a2", "a3", "a4", "a5"].map((t) => `PRIVMSG #lobby ${t}`),
    );
  } finally {
    fake.stop();
  }
});
