/**
 * The whole server over a bus that puts every event through JSON (as a bus
 * between nodes must): every kind of event still reaches exactly the people it
 * should, once. If an event carried something process-local (a session, a
 * Map) or a receiver relied on object identity, these would break.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { LocalBus } from "../../../src/bus/local.ts";
import { WireBus } from "../../../src/bus/wire.ts";
import type { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const ALL = ["message-tags", "server-time", "echo-message", "away-notify"];

async function inRoom(c: TestClient, room: string): Promise<void> {
  c.send(`JOIN ${room}`);
  await c.expect(new RegExp(` 366 \\S+ ${room} `));
}

describe("every event over a JSON bus", () => {
  test("messages, echoes, notices, TAGMSG and INVITE reach exactly their recipients", async () => {
    t = await startTestServer({ bus: new WireBus(new LocalBus()) });
    const alice = await t.client("alice", { caps: ALL });
    const bob = await t.client("bob", { caps: ALL });
    const carol = await t.client("carol");
    for (const c of [alice, bob, carol]) await inRoom(c, "#r");

    alice.send("PRIVMSG #r :to the room");
    await bob.expect(/msgid=\S+ :alice!\S+ PRIVMSG #r :to the room$/);
    await carol.expect(/^:alice!\S+ PRIVMSG #r :to the room$/);
    await alice.expect(/:alice!\S+ PRIVMSG #r :to the room$/); // echo-message

    alice.send("PRIVMSG bob :just you");
    await bob.expect(/:alice!\S+ PRIVMSG bob :just you$/);
    await alice.expect(/:alice!\S+ PRIVMSG bob :just you$/);
    expect(await carol.sees(/just you/, 100)).toBe(false);

    carol.send("NOTICE alice :a notice");
    await alice.expect(/:carol!\S+ NOTICE alice :a notice$/);

    alice.send("@+typing=active TAGMSG #r");
    await bob.expect(/\+typing=active :alice!\S+ TAGMSG #r$/);
    alice.send("@+typing=done TAGMSG bob");
    await bob.expect(/\+typing=done :alice!\S+ TAGMSG bob$/);
    expect(await carol.sees(/TAGMSG/, 100)).toBe(false);

    alice.send("INVITE carol #elsewhere");
    await carol.expect(/^:alice!\S+ INVITE carol #elsewhere$/);
    expect(await bob.sees(/INVITE/, 100)).toBe(false);

    // History is written from the bus: the room line and the private one are both there.
    bob.send("CHATHISTORY LATEST #r * 10");
    await bob.expect(/PRIVMSG #r :to the room$/);
    bob.send("CHATHISTORY LATEST alice * 10");
    await bob.expect(/PRIVMSG bob :just you$/);
  });

  test("NICK, AWAY and QUIT reach each room-mate once, however many rooms they share", async () => {
    t = await startTestServer({ bus: new WireBus(new LocalBus()) });
    const alice = await t.client("alice");
    const bob = await t.client("bob", { caps: ["away-notify"] });
    const loner = await t.client("loner");
    for (const room of ["#one", "#two", "#three"]) {
      await inRoom(alice, room);
      await inRoom(bob, room);
    }

    loner.send("NICK hermit");
    await loner.expect(/^:loner!\S+ NICK :?hermit$/);

    alice.send("AWAY :out");
    await alice.expect(/ 306 alice /);
    alice.send("NICK alicia");
    await alice.expect(/^:alice!\S+ NICK :?alicia$/);
    alice.send("QUIT :bye");
    await bob.expect(/ QUIT :Quit: bye$/);
    const seen = bob.lines;
    expect(seen.filter((l) => / AWAY :out$/.test(l)).length).toBe(1);
    expect(seen.filter((l) => / NICK :?alicia$/.test(l)).length).toBe(1);
    expect(seen.filter((l) => / QUIT /.test(l)).length).toBe(1);
    expect(await loner.sees(/alicia|QUIT/, 100)).toBe(false);
  });

  test("JOIN, PART, KICK, TOPIC and MODE reach the room", async () => {
    t = await startTestServer({ bus: new WireBus(new LocalBus()) });
    const op = await t.client("op");
    const bob = await t.client("bob");
    await inRoom(op, "#r");
    await inRoom(bob, "#r");
    await op.expect(/^:bob!\S+ JOIN #r$/);
    op.send("TOPIC #r :news");
    await bob.expect(/^:op!\S+ TOPIC #r :news$/);
    op.send("MODE #r +m");
    await bob.expect(/^:op!\S+ MODE #r \+m$/);
    op.send("KICK #r bob :out");
    await bob.expect(/^:op!\S+ KICK #r bob :out$/);
    await inRoom(bob, "#r");
    bob.send("PART #r :later");
    await op.expect(/^:bob!\S+ PART #r :later$/);
  });
});
