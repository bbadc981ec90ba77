/**
 * Room moderation for people on nc/telnet: /kick, /ban, /unban, /mute,
 * /unmute, by a room operator (works) and by a plain member (refused in words).
 */
import { describe, expect, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { freedAfterEach } from "./helpers.ts";

const live = freedAfterEach();

/** A plain-text user who picked `nick` and now talks in `room`. */
async function human(s: TestServer, nick: string, room: string): Promise<TestClient> {
  const c = await TestClient.connect(s.port);
  live.clients.push(c);
  // A first line that is not IRC makes this a human, and it is the nickname.
  c.send(nick);
  await c.expect(`*** Hello ${nick}!`);
  await c.expect("You are in #lobby now");
  c.send(`/join ${room}`);
  await c.expect(new RegExp(`${nick} joined ${room}|You .*${room}|in ${room}`));
  return c;
}

/** Plain-text "hop" creates #mod (so is its operator); IRC "bob" and plain "pat" join. */
async function setup() {
  live.server = await startTestServer({ plainFront: undefined });
  const hop = await human(live.server, "hop", "#mod");
  const bob = await live.server.client("bob");
  bob.send("JOIN #mod");
  await bob.expect(/ 366 bob #mod /);
  const pat = await human(live.server, "pat", "#mod");
  await bob.expect(/:pat!\S+ JOIN #mod$/);
  return { s: live.server, hop, bob, pat };
}

describe("plain-text room moderation", () => {
  test("a member without operator status is told no, and nothing happens", async () => {
    const { bob, pat } = await setup();
    for (const cmd of ["/kick bob", "/ban bob", "/mute bob", "/mute", "/unmute"]) {
      pat.send(cmd);
      await pat.expect("Only a room operator of #mod can do that.");
    }
    bob.send("PRIVMSG #mod :still here and talking");
    await pat.expect("still here and talking");
    expect(bob.lines.some((l) => / (KICK|MODE) #mod /.test(l))).toBe(false);
  });

  test("/kick puts an IRC user out of the room with the reason", async () => {
    const { hop, bob, pat } = await setup();
    hop.send("/kick bob spamming links");
    await bob.expect(/^:hop!\S+ KICK #mod bob :spamming links$/);
    await pat.expect("bob was kicked from #mod by hop (spamming links)");
  });

  test("/ban kicks and keeps out even after a nick change; /unban lets back in", async () => {
    const { hop, bob } = await setup();
    hop.send("/ban bob go away");
    await bob.expect(/MODE #mod \+b :?\*!~bob@127\.0\.0\.1$/);
    await bob.expect(/KICK #mod bob :go away$/);
    bob.send("NICK bobby");
    await bob.expect(/NICK :?bobby$/);
    bob.send("JOIN #mod");
    await bob.expect(/ 474 bobby #mod /);
    hop.send("/unban *!~bob@127.0.0.1");
    await hop.expect(/set mode -b \*!~bob@127\.0\.0\.1 on #mod/);
    bob.send("JOIN #mod");
    await bob.expect(/^:bobby!\S+ JOIN #mod$/);
  });

  test("/mute NICK silences one member who stays in the room; /unmute NICK gives the voice back", async () => {
    const { hop, bob, pat } = await setup();
    hop.send("/mute pat");
    await bob.expect(/MODE #mod \+b :?\*!~pat@127\.0\.0\.1$/);
    pat.send("can anyone hear me");
    await pat.expect("You can't talk in #mod right now");
    bob.send("PRIVMSG #mod :bob is not muted");
    await hop.expect("bob is not muted");
    hop.send("/unmute pat");
    await bob.expect(/MODE #mod -b :?\*!~pat@127\.0\.0\.1$/);
    pat.send("back again");
    await bob.expect(/PRIVMSG #mod :back again$/);
  });

  test("/mute alone moderates the whole room (+m); /unmute lifts it", async () => {
    const { hop, bob, pat } = await setup();
    hop.send("/mute");
    await bob.expect(/MODE #mod \+m$/);
    bob.send("PRIVMSG #mod :hello?");
    await bob.expect(/ 404 bob #mod /);
    hop.send("operators still talk");
    await pat.expect("operators still talk");
    hop.send("/unmute");
    await bob.expect(/MODE #mod -m$/);
    bob.send("PRIVMSG #mod :free again");
    await pat.expect("free again");
  });

  test("/help lists the moderation commands", async () => {
    const { pat } = await setup();
    pat.send("/help");
    await pat.expect("/kick NICK");
    await pat.expect("/mute NICK");
  });
});
