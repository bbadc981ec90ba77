import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handleLine } from "../../../src/client/handlers.ts";
import { Registration } from "../../../src/client/registration.ts";
import { secretFor, secretsPath } from "../../../src/client/secrets.ts";
import { ClientState } from "../../../src/client/state.ts";
import { formatJson, formatTerminal } from "../../../src/client/ui/format.ts";
import { parse, serialize } from "../../../src/protocol/message.ts";

const dir = mkdtempSync(join(tmpdir(), "chat-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("chat join's nick secrets", () => {
  test("made once per server and nick, kept 0600 in the config folder, reused after", () => {
    const path = secretsPath({ XDG_CONFIG_HOME: join(dir, "cfg"), HOME: dir });
    expect(path).toBe(join(dir, "cfg", "chat", "secrets.json"));
    const first = secretFor(path, "Example.org", 6667, "Alice");
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "cfg", "chat")).mode & 0o777).toBe(0o700);
    expect(secretFor(path, "example.org", 6667, "alice")).toBe(first);
    expect(secretFor(path, "example.org", 6668, "alice")).not.toBe(first);
    expect(secretFor(path, "example.org", 6667, "bob")).not.toBe(first);
  });

  test("--secret wins and is kept for next time; a damaged file starts over", () => {
    const path = join(dir, "given", "secrets.json");
    expect(secretFor(path, "h", 1, "carol", "carried-over-secret")).toBe("carried-over-secret");
    expect(secretFor(path, "h", 1, "carol")).toBe("carried-over-secret");
    writeFileSync(path, "{not json");
    const fresh = secretFor(path, "h", 1, "carol");
    expect(fresh).not.toBe("carried-over-secret");
    expect(JSON.parse(readFileSync(path, "utf8"))["h:1"]).toEqual({ carol: fresh });
  });
});

describe("SASL PLAIN in registration", () => {
  const lines = (ms: ReturnType<Registration["begin"]>): string[] => ms.map((m) => serialize(m));

  test("asks for sasl only with a secret, holds CAP END until the proof, and chunks at 400", () => {
    const state = new ClientState("alice");
    const reg = new Registration(state, {
      nick: "alice",
      username: "a",
      realname: "r",
      secret: "s".repeat(400),
    });
    expect(lines(reg.onCap(parse(":srv CAP * LS :sasl=PLAIN,EXTERNAL server-time")))).toEqual([
      "CAP REQ :server-time sasl",
    ]);
    expect(lines(reg.onCap(parse(":srv CAP * ACK :server-time sasl")))).toEqual([
      "AUTHENTICATE PLAIN",
    ]);
    const auth = lines(reg.onAuthenticate(parse("AUTHENTICATE +")));
    const payload = auth.map((l) => l.replace(/^AUTHENTICATE :?/, "")).join("");
    expect(Buffer.from(payload, "base64").toString()).toBe(`\0alice\0${"s".repeat(400)}`);
    expect(auth.every((l) => l.length <= "AUTHENTICATE ".length + 400)).toBe(true);
    expect(lines(reg.onSaslDone())).toEqual(["CAP END"]);

    const none = new Registration(new ClientState("bob"), {
      nick: "bob",
      username: "b",
      realname: "r",
    });
    expect(lines(none.onCap(parse(":srv CAP * LS :sasl server-time")))).toEqual([
      "CAP REQ server-time",
    ]);
  });
});

describe("owned nicks on screen", () => {
  const state = new ClientState("me");
  state.registered = true;
  const events = (line: string) => handleLine(state, parse(line), Date.now());

  test("WHOIS 330 for a nick's own account shows the ✓", () => {
    const show = (line: string): string => {
      const [ev] = events(line);
      if (ev === undefined) throw new Error("no event");
      return formatTerminal(ev, { cols: 120, colour: false, current: "#r" }).join("");
    };
    expect(show(":srv 330 me alice alice :is logged in as")).toMatch(/alice ✓ owns this nick$/);
    expect(show(":srv 330 me alice_ alice :is logged in as")).toMatch(
      /alice_ owns the nick alice$/,
    );
  });

  test("--json marks a message whose account tag names its sender's nick as owned", () => {
    const json = (line: string) => {
      const [ev] = events(line);
      if (ev === undefined) throw new Error("no event");
      return formatJson(ev);
    };
    expect(json("@account=alice :alice!a@h PRIVMSG #r :hi").owned).toBe(true);
    expect(json(":bob!b@h PRIVMSG #r :hi").owned).toBeUndefined();
    expect(json("@account=alice :alice_away!a@h PRIVMSG #r :hi").owned).toBeUndefined();
  });
});

describe("a nick claimed elsewhere", () => {
  test("a refused proof tells the user how to carry the secret over from the other machine", () => {
    const reg = new Registration(new ClientState("alice"), {
      nick: "alice",
      username: "a",
      realname: "r",
      secret: "made-here-not-the-owners",
    });
    const said: string[] = [];
    reg.onSaslReply(
      parse(":srv 904 alice :SASL authentication failed: Wrong secret for alice"),
      (t) => said.push(t),
    );
    expect(said.join("\n")).toMatch(/Wrong secret for alice/);
    expect(said.join("\n")).toMatch(
      /if alice is yours, type \/secret where it is kept, then start chat join here with --secret SECRET \(or CHAT_SECRET\)/,
    );
  });
});
