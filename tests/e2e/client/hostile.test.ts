/**
 * Issue 17 point 1: a hostile server (or user) cannot drive the terminal.
 * `chat join` runs under a real PTY against a scripted server that puts
 * escape sequences, C1 controls and bidi overrides in every field it can:
 * server name, nicks, room names, topic, NAMES, messages, CTCP, NOTICE, WHOIS,
 * MOTD, part/kick/quit reasons, nick changes and ERROR.
 *
 * How the check tells the client's own rendering from the network's: every
 * hostile sequence carries a marker (31337, PWNED, UFdORUQ) that the client
 * never writes, the client's own sequences are a short known list (SGR
 * colours, erase, cursor moves, bracketed paste), and C1 and bidi characters
 * are never written by the client at all.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ScriptedIrc } from "../../helpers/scripted-irc.ts";
import { ensureBinary, makeHome, spawnPty } from "./harness.ts";

const home = makeHome();

/** One sample of everything: CSI, OSC (title, clipboard), DCS, C1 CSI/OSC, bidi, reset. */
const BAD =
  "\x1b[31337;1H\x1b]0;PWNED\x07\x1b]52;c;UFdORUQ=\x1b\\\x1bP31337q\x1b\\\x9b31337J\x9d0;PWNED\x9c\u202e\u2066\x1bc";
const nick = (tag: string): string => `ev${BAD}il${tag}`;
const SERVER = `irc${BAD}.evil`;
const ROOM = "#lobby";
const OTHER = `#da${BAD}rk`;

function script(line: string, send: (out: string) => void): void {
  const [verb] = line.split(" ");
  const me = "tester";
  switch (verb) {
    case "CAP":
      if (line.startsWith("CAP LS")) send(`:${SERVER} CAP * LS :`);
      return;
    case "USER":
      send(`:${SERVER} 001 ${me} :Welcome ${BAD}to the hostile net`);
      send(`:${SERVER} 005 ${me} CHANTYPES=# PREFIX=(ov)@+ :are supported`);
      send(`:${SERVER} 375 ${me} :- MOTD`);
      send(`:${SERVER} 372 ${me} :- motd${BAD}line`);
      send(`:${SERVER} 376 ${me} :End`);
      send(`:${SERVER} NOTICE ${me} :server${BAD}notice`);
      return;
    case "JOIN":
      send(`:${me}!u@h JOIN ${ROOM}`);
      send(`:${SERVER} 332 ${me} ${ROOM} :topic${BAD}text`);
      send(`:${SERVER} 353 ${me} = ${ROOM} :${me} @${nick("1")} +${nick("2")}`);
      send(`:${SERVER} 366 ${me} ${ROOM} :End of NAMES`);
      send(`:${nick("1")}!u${BAD}@h${BAD} PRIVMSG ${ROOM} :msg${BAD}body-visible`);
      send(`:${nick("1")}!u@h PRIVMSG ${ROOM} :\x01ACTION acts${BAD}out\x01`);
      send(`:${nick("1")}!u@h NOTICE ${me} :\x01VERSION ctcp${BAD}reply\x01`);
      send(`:${nick("1")}!u@h NOTICE ${me} :private${BAD}notice`);
      send(`:${nick("2")}!u@h PRIVMSG ${me} :dm${BAD}text`);
      send(`:${nick("1")}!u@h TOPIC ${ROOM} :new${BAD}topic`);
      send(`:${nick("3")}!u@h JOIN ${ROOM}`);
      send(`:${nick("3")}!u@h PART ${ROOM} :part${BAD}reason`);
      send(`:${nick("1")}!u@h KICK ${ROOM} ${nick("2")} :kick${BAD}reason`);
      send(`:${nick("1")}!u@h NICK :${nick("4")}`);
      send(`:${nick("4")}!u@h QUIT :quit${BAD}reason`);
      send(`:${me}!u@h JOIN ${OTHER}`);
      send(`:${SERVER} 404 ${me} ${ROOM} :refused${BAD}send`);
      return;
    case "WHOIS":
      send(`:${SERVER} 311 ${me} ${nick("5")} u${BAD} h${BAD} * :real${BAD}name`);
      send(`:${SERVER} 319 ${me} ${nick("5")} :@${OTHER}`);
      send(`:${SERVER} 312 ${me} ${nick("5")} ${SERVER} :server${BAD}info`);
      send(`:${SERVER} 301 ${me} ${nick("5")} :away${BAD}text`);
      send(`:${SERVER} 318 ${me} ${nick("5")} :End of WHOIS`);
      send(`ERROR :closing${BAD}link-visible`);
      return;
    default:
      return;
  }
}

/**
 * The sequences `chat join` itself writes: SGR, erase, cursor moves, home,
 * bracketed paste, and its desktop notifications (OSC 9 and 777, whose text
 * must hold no control character: checked by the markers and the ESC count).
 */
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

test("no escape, C1 or bidi control from the network reaches the terminal", async () => {
  const c = spawnPty(["join", `127.0.0.1:${server.port}`, "--nick", "tester"], home.env, 200, 40);
  try {
    await c.waitFor("msgbody-visible");
    await c.waitFor("quitreason");
    // Private lines have windows of their own: visit each (Ctrl-N), so its text is drawn too.
    for (const name of ["evil1", "evil2", "#dark", "#lobby"]) {
      c.type("\x0e");
      await c.waitUntil((t) => t.cursorRow().startsWith(`[${name}]`), `window ${name}`);
    }
    c.type("/whois someone\r");
    await server.waitLine(/^WHOIS /);
    server.hangUp();
    await c.waitFor("closinglink-visible");

    const out = c.bytes();
    // The markers of the hostile sequences never appear: their parameters went with them.
    for (const marker of ["31337", "PWNED", "UFdORUQ"]) expect(out).not.toContain(marker);
    // Once the client's own sequences are taken out, no ESC is left.
    expect(out.replace(OWN, "")).not.toContain("\x1b");
    // The private line raised a notification, its nick and text cleaned.
    expect(out).toContain("\x1b]9;evil2: dmtext\x07");
    expect(out).not.toMatch(/[\x80-\x9f]/);
    expect(out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);

    // And the screen shows each field's text, with the sequences gone.
    const screen = c.term.text();
    for (const seen of [
      "motdline",
      "topictext",
      "msgbody-visible",
      "actsout",
      "privatenotice",
      "dmtext",
      "newtopic",
      "partreason",
      "kickreason",
      "quitreason",
      "evil1",
      "evil2",
      "realname",
      "awaytext",
      "closinglink-visible",
    ])
      expect(screen).toContain(seen);
  } finally {
    c.kill();
  }
}, 60_000);
