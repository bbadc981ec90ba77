/**
 * Who may remove, ban, mute and lock out whom: every room-moderation action and
 * every server-operator action, tried first by someone without the right (it
 * must be refused and change nothing) and then by someone with it.
 */
import { describe, expect, test } from "bun:test";
import { OperCredentials } from "../../../src/security/password.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { freedAfterEach } from "./helpers.ts";

const live = freedAfterEach();

const creds = new OperCredentials([{ name: "root", password: "correct horse" }]);

async function server(): Promise<TestServer> {
  live.server = await startTestServer({ opers: creds.logins() });
  return live.server;
}

/** alice (room operator), bob and carol (plain members) in `room`. */
async function room(name: string) {
  const s = await server();
  const alice = await s.client("alice");
  const bob = await s.client("bob");
  const carol = await s.client("carol");
  for (const c of [alice, bob, carol]) {
    c.send(`JOIN ${name}`);
    await c.expect(/ 366 /);
  }
  // Everyone has seen everyone join.
  await alice.expect(/:carol!\S+ JOIN/);
  await bob.expect(/:carol!\S+ JOIN/);
  return { s, alice, bob, carol };
}

/** A PING round trip: every reply to earlier lines has arrived. */
async function sync(c: TestClient): Promise<void> {
  c.send("PING :sync");
  await c.expect(/PONG .*sync/);
}

describe("room moderation: refused without operator status, works with it", () => {
  test("KICK", async () => {
    const { alice, bob, carol } = await room("#kick");
    bob.send("KICK #kick carol :you");
    await bob.expect(/ 482 bob #kick :You're not channel operator/);
    alice.send("KICK #kick carol :behave");
    await carol.expect(/^:alice!\S+ KICK #kick carol :behave$/);
    await bob.expect(/^:alice!\S+ KICK #kick carol :behave$/);
    // Carol is really out: she cannot talk in the room any more.
    carol.send("PRIVMSG #kick :still here?");
    await carol.expect(/ 404 carol #kick /);
  });

  test("+b ban mask", async () => {
    const { alice, bob, carol } = await room("#ban");
    bob.send("MODE #ban +b carol!*@*");
    await bob.expect(/ 482 bob #ban /);
    carol.send("PART #ban");
    await carol.expect(/ PART #ban/);
    carol.send("JOIN #ban");
    await carol.expect(/:carol!\S+ JOIN #ban$/);
    alice.send("MODE #ban +b carol!*@*");
    await carol.expect(/MODE #ban \+b :?carol!\*@\*$/);
    // A banned member can no longer speak, and cannot come back after leaving.
    carol.send("PRIVMSG #ban :hello?");
    await carol.expect(/ 404 carol #ban /);
    carol.send("PART #ban");
    await carol.expect(/ PART #ban/);
    carol.send("JOIN #ban");
    await carol.expect(/ 474 carol #ban :Cannot join channel \(\+b\)/);
  });

  test("+m and +v: mute the room, voice one member", async () => {
    const { alice, bob, carol } = await room("#mute");
    bob.send("MODE #mute +m");
    await bob.expect(/ 482 bob #mute /);
    bob.send("PRIVMSG #mute :not muted yet");
    await carol.expect(/PRIVMSG #mute :not muted yet$/);
    alice.send("MODE #mute +m");
    await bob.expect(/MODE #mute \+m$/);
    bob.send("PRIVMSG #mute :muted?");
    await bob.expect(/ 404 bob #mute /);
    // A member cannot unmute himself.
    bob.send("MODE #mute +v bob");
    await bob.expect(/ 482 bob #mute /);
    alice.send("MODE #mute +v bob");
    await bob.expect(/MODE #mute \+v :?bob$/);
    bob.send("PRIVMSG #mute :voiced now");
    await carol.expect(/PRIVMSG #mute :voiced now$/);
    carol.send("PRIVMSG #mute :and me?");
    await carol.expect(/ 404 carol #mute /);
  });

  test("+i and INVITE", async () => {
    const { s, alice, bob } = await room("#inv");
    bob.send("MODE #inv +i");
    await bob.expect(/ 482 bob #inv /);
    alice.send("MODE #inv +i");
    await bob.expect(/MODE #inv \+i$/);
    const dave = await s.client("dave");
    dave.send("JOIN #inv");
    await dave.expect(/ 473 dave #inv /);
    bob.send("INVITE dave #inv");
    await bob.expect(/ 482 bob #inv /);
    alice.send("INVITE dave #inv");
    await dave.expect(/ INVITE dave :?#inv$/);
    dave.send("JOIN #inv");
    await dave.expect(/^:dave!\S+ JOIN #inv$/);
  });

  test("+k key", async () => {
    const { s, alice, bob } = await room("#key");
    bob.send("MODE #key +k sesame");
    await bob.expect(/ 482 bob #key /);
    alice.send("MODE #key +k sesame");
    await bob.expect(/MODE #key \+k :?sesame$/);
    const dave = await s.client("dave");
    dave.send("JOIN #key");
    await dave.expect(/ 475 dave #key /);
    dave.send("JOIN #key wrong");
    await dave.expect(/ 475 dave #key /);
    dave.send("JOIN #key sesame");
    await dave.expect(/^:dave!\S+ JOIN #key$/);
  });

  test("+l limit", async () => {
    const { s, alice, bob } = await room("#lim");
    bob.send("MODE #lim +l 3");
    await bob.expect(/ 482 bob #lim /);
    const dave = await s.client("dave");
    alice.send("MODE #lim +l 3");
    await bob.expect(/MODE #lim \+l :?3$/);
    dave.send("JOIN #lim");
    await dave.expect(/ 471 dave #lim /);
  });

  test("a server operator may moderate any room without being its operator", async () => {
    const { s, bob, carol } = await room("#any");
    const root = await s.client("root");
    root.send("OPER root :correct horse");
    await root.expect(/ 381 root /);
    root.send("KICK #any carol :server operator");
    await carol.expect(/KICK #any carol :server operator$/);
    root.send("MODE #any +m");
    await bob.expect(/MODE #any \+m$/);
  });
});

describe("server operators", () => {
  test("OPER: wrong name or password is 464, three failures disconnect, the right one gives 381 and +o", async () => {
    const s = await server();
    const mallory = await s.client("mallory");
    mallory.send("OPER root wrong");
    await mallory.expect(/ 464 mallory :Password incorrect/);
    mallory.send("OPER nobody :correct horse");
    await mallory.expect(/ 464 mallory /);
    mallory.send("OPER root :Correct horse");
    await mallory.expect(/ 464 mallory /);
    await mallory.waitClosed();
    expect(mallory.lines.some((l) => / 381 /.test(l))).toBe(false);

    const root = await s.client("root");
    root.send("OPER root :correct horse");
    await root.expect(/ 381 root :You are now an IRC operator/);
    await root.expect(/MODE root :\+o$/);
    expect(s.logs.some((l) => l.includes("correct horse"))).toBe(false);
  });

  test("OPER guessing is capped per address: after 10 tries a minute, even the right password waits", async () => {
    const s = await server();
    let tries = 0;
    // Each connection gets three wrong tries before it is cut; reconnecting does not reset the address's count.
    while (tries < 10) {
      const c = await s.client(`guess${tries}`);
      for (let i = 0; i < 3 && tries < 10; i++, tries++) {
        c.send(`OPER root wrong${tries}`);
        await c.expect(/ 464 /);
      }
      c.close();
    }
    const late = await s.client("late");
    late.send("OPER root :correct horse");
    await late.expect(
      /NOTICE late :Too many OPER attempts from your address; try again in a minute/,
    );
    late.send("PING :sync");
    await late.expect(/PONG/);
    expect(late.lines.some((l) => / 381 /.test(l))).toBe(false);
  });

  test("OPER on a server without --oper is 491", async () => {
    live.server = await startTestServer();
    const c = await live.server.client("c");
    c.send("OPER root :correct horse");
    await c.expect(/ 491 c /);
  });

  test("KILL: 481 for a normal user; an operator disconnects the target with a reason", async () => {
    const { s, bob, carol } = await room("#kill");
    bob.send("KILL carol :bye");
    await bob.expect(/ 481 bob :Permission Denied/);
    const root = await s.client("root");
    root.send("OPER root :correct horse");
    await root.expect(/ 381 /);
    root.send("KILL carol :spamming");
    await carol.waitClosed();
    expect(carol.lines.some((l) => l.startsWith("ERROR") && l.includes("spamming"))).toBe(true);
    await bob.expect(/^:carol!\S+ QUIT :Killed by root \(spamming\)$/);
    root.send("KILL nobody");
    await root.expect(/ 401 root nobody /);
  });

  test("KLINE: refused for normal users; removes matching users now and refuses them later until UNKLINE", async () => {
    const { s, bob, carol } = await room("#kl");
    bob.send("KLINE carol :nope");
    await bob.expect(/ 481 bob /);
    const root = await s.client("root");
    root.send("OPER root :correct horse");
    await root.expect(/ 381 /);
    root.send("KLINE carol!*@* :flooding");
    await carol.expect(/ 465 carol :You are banned from this server: flooding/);
    await carol.waitClosed();
    await bob.expect(/:carol!\S+ QUIT :You are banned from this server: flooding$/);
    await root.expect(/NOTICE root :Banned carol!\*@\* .*1 connection removed/);

    const again = await TestClient.connect(s.port);
    live.clients.push(again);
    again.send("NICK carol");
    again.send("USER carol 0 * :carol");
    await again.expect(/ 465 carol :You are banned from this server: flooding/);
    await again.waitClosed();

    // The operator refuses to lock out everyone by mistake.
    root.send("KLINE *");
    await root.expect(/NOTICE root :Refusing to K-line everyone/);
    // Nor every address: a D-line is kept across restarts, so this would stay.
    for (const everyone of ["*", "0.0.0.0/0", "0::/0"]) {
      root.send(`DLINE ${everyone}`);
      await root.expect(`NOTICE root :Refusing to D-line every address (${everyone})`);
    }
    root.send("DLINE");
    await root.expect(/NOTICE root :No D-lines set/);
    root.send("KLINE");
    await root.expect(/NOTICE root :KLINE carol!\*@\* by root: flooding/);
    root.send("UNKLINE carol");
    await root.expect(/NOTICE root :Lifted the ban on carol!\*@\*/);
    const back = await TestClient.connect(s.port);
    live.clients.push(back);
    await back.register("carol");
  });

  test("DLINE: an IP ban disconnects everyone from it but operators, refuses new connections, UNDLINE lifts it", async () => {
    const { s, bob } = await room("#dl");
    bob.send("DLINE 127.0.0.1");
    await bob.expect(/ 481 bob /);
    const root = await s.client("root");
    root.send("OPER root :correct horse");
    await root.expect(/ 381 /);
    root.send("DLINE not-an-ip");
    await root.expect(/NOTICE root :not-an-ip is not an IP address/);
    root.send("DLINE 127.0.0.0/8 :loopback abuse");
    await bob.waitClosed();
    await root.expect(/NOTICE root :Banned 127\.0\.0\.0\/8 .*3 connections removed/);
    const refused = await TestClient.connect(s.port);
    live.clients.push(refused);
    await refused.expect(/^ERROR :You are banned from this server: loopback abuse/);
    await refused.waitClosed();
    root.send("UNDLINE 127.0.0.0/8");
    await root.expect(/Lifted the ban on 127\.0\.0\.0\/8/);
    const back = await TestClient.connect(s.port);
    live.clients.push(back);
    await back.register("bob");
    await sync(root);
  });
});
