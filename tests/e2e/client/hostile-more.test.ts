/**
 * Issue 17 point 1, the fields the first hostile test does not reach: CAP
 * values, 005 tokens, INVITE, MODE, LIST rows, channel modes, the topic
 * setter, typing, unknown numerics, error numerics, FAIL replies, a read
 * marker and a server that renames us. Each field's sequence carries its own
 * marker (PWN<field>), so a leak names the field it came through.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ScriptedIrc } from "../../helpers/scripted-irc.ts";
import { ensureBinary, makeHome, spawnPty } from "./harness.ts";

const home = makeHome();

/** CSI, OSC title, DCS, C1 CSI, bidi: each marked with the field it rides in. */
const bad = (f: string): string =>
  `\x1b[9${f.length}H\x1b]0;PWN${f}\x07\x1bPPWN${f}\x1b\\\x9bPWN${f}\u202e`;
const me = "tester";
const S = "irc.evil";
const ROOM = "#lobby";

function script(line: string, send: (out: string) => void): void {
  const [verb] = line.split(" ");
  if (verb === "CAP" && line.startsWith("CAP LS")) {
    send(`:${S} CAP * LS :message-tags server-time x${bad("cap")}=${bad("capv")}`);
    return;
  }
  if (verb === "CAP" && line.startsWith("CAP REQ")) {
    send(`:${S} CAP * ACK :${line.replace(/^CAP REQ :?/, "")}`);
    return;
  }
  if (verb === "USER") {
    send(`:${S} 001 ${me} :Welcome`);
    send(`:${S} 004 ${me} ${S} ver${bad("004")} o o`);
    send(`:${S} 005 ${me} CHANTYPES=# NETWORK=Evil${bad("005")} :are supported`);
    send(`:${S} 376 ${me} :End`);
    return;
  }
  if (verb === "JOIN") {
    send(`:${me}!u@h JOIN ${ROOM}`);
    send(`:${S} 353 ${me} = ${ROOM} :${me} n${bad("names")}`);
    send(`:${S} 366 ${me} ${ROOM} :End of NAMES`);
    send(`:${S} 333 ${me} ${ROOM} set${bad("setter")}!u@h 1700000000`);
    send(`:${S} 324 ${me} ${ROOM} +k ${bad("key")}`);
    send(`:op!u@h MODE ${ROOM} +b ${bad("ban")}!*@*`);
    send(`:op!u@h MODE ${ROOM} +o n${bad("modenick")}`);
    send(`@+typing=active :t${bad("typing")}!u@h TAGMSG ${ROOM}`);
    send(`:inv${bad("inviter")}!u@h INVITE ${me} #in${bad("invroom")}`);
    send(`:${S} 999 ${me} odd${bad("999")} :unknown${bad("999t")}`);
    send(`:${S} 401 ${me} no${bad("401")} :No such nick${bad("401t")}`);
    send(`FAIL JOIN CODE${bad("fail")} #x :fail${bad("failt")}`);
    send(`:${S} MARKREAD ${ROOM} timestamp=${bad("mark")}`);
    send(`:${S} 322 ${me} #li${bad("list")} 3 :listtopic${bad("listt")}`);
    send(`:${S} 323 ${me} :End of LIST`);
    send(`:op!u@h PRIVMSG ${ROOM} :all-sent`);
    return;
  }
  if (verb === "PRIVMSG" && line.includes("rename-me")) {
    send(`:${me}!u@h NICK :me${bad("selfnick")}`);
    send(`:op!u@h PRIVMSG ${ROOM} :renamed-done`);
  }
}

/** The client's own sequences (see hostile.test.ts). */
const OWN = /\x1b\[(?:[0-9;]*[mKJACDGH]|\?2004[hl])|\x1b\](?:9|777;notify);[^\x00-\x1f]*\x07/g;

let server: ScriptedIrc;

beforeAll(() => {
  ensureBinary();
  server = new ScriptedIrc(script);
}, 120_000);

afterAll(() => {
  server.stop();
  home.cleanup();
});

test("CAP, 005, MODE, INVITE, LIST, typing, numerics, FAIL and our own nick cannot drive the terminal", async () => {
  const c = spawnPty(["join", `127.0.0.1:${server.port}`, "--nick", me], home.env, 200, 40);
  try {
    await c.waitFor("all-sent");
    c.type("/names\r");
    c.type("/mentions\r");
    c.type("rename-me\r");
    await c.waitFor("renamed-done");
    c.type("/help\r");
    await c.waitFor("/search");

    const out = c.bytes();
    const leaks = [...out.matchAll(/PWN[a-z0-9]+/g)].map((m) => m[0]);
    expect([...new Set(leaks)]).toEqual([]);
    expect(out.replace(OWN, "")).not.toContain("\x1b");
    expect(out).not.toMatch(/[\x80-\x9f]/);
    expect(out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    const screen = c.term.text();
    if (process.env.SHOW) console.log(screen);
    for (const seen of ["listtopic", "unknown", "No such nick"]) expect(screen).toContain(seen);
  } finally {
    c.kill();
  }
}, 60_000);
