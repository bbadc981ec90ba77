/**
 * Interoperability with IRC software nobody here wrote: weechat (headless, from
 * Debian), irssi (in a PTY) and Debian's python3-irc library register, join,
 * chat, see topics, change nicks and get kicked on our server.
 * `scripts/test-deps.sh` installs them.
 */
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
const procs: Subprocess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill();
    await p.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await t?.stop();
  t = undefined;
});

/** Resolve with the first stdout line of `proc` matching `re` (bounded). */
function waitLine(proc: Subprocess<"ignore", "pipe", "pipe">, re: RegExp, ms: number) {
  const seen: string[] = [];
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  return new Promise<{ line: string; reader: typeof reader }>((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.releaseLock();
      reject(new Error(`no line matching ${re} in ${ms} ms; saw:\n${seen.join("\n")}`));
    }, ms);
    const pump = async (): Promise<void> => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          clearTimeout(timer);
          return reject(new Error(`process ended; saw:\n${seen.join("\n")}`));
        }
        buf += decoder.decode(value, { stream: true });
        let nl = buf.indexOf("\n");
        while (nl !== -1) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          seen.push(line);
          if (re.test(line)) {
            clearTimeout(timer);
            return resolve({ line, reader });
          }
          nl = buf.indexOf("\n");
        }
      }
    };
    pump().catch(() => {});
  });
}

/** Poll a file (bounded) until it contains `needle`; weechat's logger is our only window. */
async function waitFileContains(path: string, needle: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (text.includes(needle)) return text;
    if (Date.now() > deadline) throw new Error(`${path} never contained ${needle}:\n${text}`);
    await Bun.sleep(100);
  }
}

const GREETING = "héllo from weechat — ça marche? 日本語 ✓";
const REPLY = "oui, ça marche! Привет 🎉";
const NC_LINE = "from nc: ½ ünïcödé";

test("weechat, python3-irc, an nc user and a raw client chat in #lobby with non-ASCII text", async () => {
  // With the plain-text front, as `chat serve` runs.
  t = await startTestServer({ plainFront: undefined });
  const bot = Bun.spawn(
    [
      "/usr/bin/python3",
      join(import.meta.dir, "fixtures", "irc_bot.py"),
      String(t.port),
      "pybot",
      "#lobby",
      "wee",
      REPLY,
    ],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, LANG: "C.UTF-8" } },
  );
  procs.push(bot);
  let r = await waitLine(bot, /^JOIN pybot #lobby$/, 10_000);
  r.reader.releaseLock();

  // A raw client watches too, to check the bytes on the wire.
  const raw = await t.client("watcher");
  raw.send("JOIN #lobby");
  await raw.expect(/ 366 watcher #lobby /);

  // Someone on `nc`: types a nickname as the first line and lands in #lobby.
  const nc = await TestClient.connect(t.port);
  nc.send("ncuser");
  await nc.expect("Hello ncuser!");
  await raw.expect(/^:ncuser!\S+ JOIN #lobby$/);

  const dir = mkdtempSync(join(tmpdir(), "chat-weechat-"));
  dirs.push(dir);
  const wee = Bun.spawn(
    [
      "weechat-headless",
      "--dir",
      dir,
      "-r",
      [
        "/set logger.file.flush_delay 0",
        `/server add t 127.0.0.1/${t.port} -notls -nicks=wee -username=wee -autojoin=#lobby`,
        "/connect t",
        // weechat has no scripting bridge without extra plugins; give it time to join.
        `/wait 3 /msg -server t #lobby ${GREETING}`,
        "/wait 30 /quit",
      ].join(";"),
    ],
    {
      stdout: "ignore",
      stderr: "ignore",
      stdin: "ignore",
      env: { ...process.env, LANG: "C.UTF-8" },
    },
  );
  procs.push(wee);

  await raw.expect(/^:wee!\S+ JOIN #lobby$/, 10_000);
  r = await waitLine(bot, /^MSG wee #lobby /, 10_000);
  r.reader.releaseLock();
  expect(r.line).toBe(`MSG wee #lobby ${GREETING}`);
  expect(await raw.expect(/^:wee!\S+ PRIVMSG #lobby :/)).toEndWith(`:${GREETING}`);
  expect(await raw.expect(/^:pybot!\S+ PRIVMSG #lobby :/)).toEndWith(`:${REPLY}`);

  let log = await waitFileContains(join(dir, "logs", "irc.t.#lobby.weechatlog"), REPLY, 10_000);
  expect(log).toMatch(new RegExp(`\\t@?pybot\\t${REPLY}`));

  // The nc user read both as plain text, and what it types reaches everyone.
  await nc.expect(/\d\d:\d\d <wee> héllo from weechat/);
  await nc.expect(`<pybot> ${REPLY}`);
  nc.send(NC_LINE);
  expect(await raw.expect(/^:ncuser!\S+ PRIVMSG #lobby :/)).toEndWith(`:${NC_LINE}`);
  const seen = await waitLine(bot, /^MSG ncuser #lobby /, 10_000);
  seen.reader.releaseLock();
  expect(seen.line).toBe(`MSG ncuser #lobby ${NC_LINE}`);
  log = await waitFileContains(join(dir, "logs", "irc.t.#lobby.weechatlog"), NC_LINE, 10_000);
  expect(log).toMatch(/\tncuser\t/);
}, 30_000);

test("weechat authenticates with SASL PLAIN: it claims its nick, and the server shows it owned", async () => {
  t = await startTestServer();
  const raw = await t.client("watcher");
  raw.send("JOIN #lobby");
  await raw.expect(/ 366 watcher #lobby /);
  const dir = mkdtempSync(join(tmpdir(), "chat-weechat-sasl-"));
  dirs.push(dir);
  const wee = Bun.spawn(
    [
      "weechat-headless",
      "--dir",
      dir,
      "-r",
      [
        `/server add t 127.0.0.1/${t.port} -notls -nicks=wsasl -username=wsasl -autojoin=#lobby`,
        "/set irc.server.t.sasl_mechanism plain",
        "/set irc.server.t.sasl_username wsasl",
        "/set irc.server.t.sasl_password weechat-secret-1",
        "/connect t",
        "/wait 30 /quit",
      ].join(";"),
    ],
    {
      stdout: "ignore",
      stderr: "ignore",
      stdin: "ignore",
      env: { ...process.env, LANG: "C.UTF-8" },
    },
  );
  procs.push(wee);
  await raw.expect(/^:wsasl!\S+ JOIN #lobby$/, 10_000);
  raw.send("WHOIS wsasl");
  await raw.expect(/ 330 watcher wsasl wsasl :is logged in as/);
  expect(t.logs.some((l) => /claimed wsasl /.test(l))).toBe(true);
  expect(t.logs.join("\n")).not.toContain("weechat-secret-1");
}, 30_000);

/** irssi's config: one autoconnecting server, one autojoined room, logs under `dir`. */
function irssiConfig(dir: string, port: number): string {
  return `servers = ( { address = "127.0.0.1"; chatnet = "t"; port = "${port}"; autoconnect = "yes"; use_tls = "no"; } );
chatnets = { t = { type = "IRC"; }; };
channels = ( { name = "#ops"; chatnet = "t"; autojoin = "yes"; } );
settings = {
  core = { real_name = "irssi user"; user_name = "irs"; nick = "irs"; };
  "fe-common/core" = { autolog = "yes"; autolog_level = "all"; autolog_path = "${dir}/logs/$tag/$0.log"; };
};
`;
}

test("irssi and python3-irc see the topic, nick changes and kicks", async () => {
  t = await startTestServer();
  // The operator is a raw client: it sets the topic before anyone else arrives.
  const op = await t.client("op");
  op.send("JOIN #ops");
  await op.expect(/ 366 op #ops /);
  op.send("TOPIC #ops :first topic, ça va");
  await op.expect(/ TOPIC #ops :first topic/);

  const bot = Bun.spawn(
    [
      "/usr/bin/python3",
      join(import.meta.dir, "fixtures", "irc_bot.py"),
      String(t.port),
      "pybot",
      "#ops",
      "op",
      REPLY,
    ],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, LANG: "C.UTF-8" } },
  );
  procs.push(bot);
  let r = await waitLine(bot, /^CURRENTTOPIC #ops /, 10_000);
  r.reader.releaseLock();
  expect(r.line).toBe("CURRENTTOPIC #ops first topic, ça va");

  const dir = mkdtempSync(join(tmpdir(), "chat-irssi-"));
  dirs.push(dir);
  await Bun.write(join(dir, "config"), irssiConfig(dir, t.port));
  const irssi = Bun.spawn(["irssi", "--home", dir, "-n", "irs"], {
    env: { ...process.env, TERM: "xterm", LANG: "C.UTF-8" },
    terminal: { cols: 100, rows: 30, data() {} },
  });
  procs.push(irssi);
  await op.expect(/^:irs!\S+ JOIN #ops$/, 10_000);
  const log = join(dir, "logs", "t", "#ops.log");
  await waitFileContains(log, "first topic, ça va", 10_000);

  // irssi talks and changes nick; the bot and the operator see both.
  irssi.terminal?.write("/msg #ops hello from irssi\r");
  expect(await op.expect(/^:irs!\S+ PRIVMSG #ops :/)).toEndWith(":hello from irssi");
  r = await waitLine(bot, /^MSG irs #ops /, 10_000);
  r.reader.releaseLock();
  irssi.terminal?.write("/nick irs2\r");
  await op.expect(/^:irs!\S+ NICK :?irs2$/);
  r = await waitLine(bot, /^NICK irs irs2$/, 10_000);
  r.reader.releaseLock();

  // A new topic and the bot's nick change reach irssi.
  op.send("TOPIC #ops :second topic");
  r = await waitLine(bot, /^TOPIC op #ops /, 10_000);
  r.reader.releaseLock();
  expect(r.line).toBe("TOPIC op #ops second topic");
  op.send("PRIVMSG #ops :!nick pybot2");
  await op.expect(/^:pybot!\S+ NICK :?pybot2$/);
  const text = await waitFileContains(log, "pybot is now known as pybot2", 10_000);
  expect(text).toContain("changed the topic of #ops to: second topic");

  // Kicks: irssi logs its own, the bot reports its own.
  op.send("KICK #ops irs2 :enough, irssi");
  await waitFileContains(log, "irs2 was kicked from #ops by op [enough, irssi]", 10_000);
  op.send("KICK #ops pybot2 :bye bot");
  r = await waitLine(bot, /^KICK op #ops pybot2 /, 10_000);
  r.reader.releaseLock();
  expect(r.line).toBe("KICK op #ops pybot2 bye bot");
}, 30_000);

test("weechat negotiates setname: its /setname reaches room-mates and is shown back to it", async () => {
  t = await startTestServer();
  const raw = await t.client("watcher", { caps: ["setname"] });
  raw.send("JOIN #lobby");
  await raw.expect(/ 366 watcher #lobby /);
  const dir = mkdtempSync(join(tmpdir(), "chat-weechat-"));
  dirs.push(dir);
  const wee = Bun.spawn(
    [
      "weechat-headless",
      "--dir",
      dir,
      "-r",
      [
        "/set logger.file.flush_delay 0",
        `/server add t 127.0.0.1/${t.port} -notls -nicks=wee -username=wee -autojoin=#lobby`,
        '/set irc.server.t.capabilities "*"',
        "/connect t",
        "/wait 3 /command -buffer irc.server.t irc /setname Wee Renamed",
        "/wait 30 /quit",
      ].join(";"),
    ],
    {
      stdout: "ignore",
      stderr: "ignore",
      stdin: "ignore",
      env: { ...process.env, LANG: "C.UTF-8" },
    },
  );
  procs.push(wee);
  await raw.expect(/^:wee!\S+ JOIN #lobby$/, 10_000);
  expect(await raw.expect(/ SETNAME /, 10_000)).toMatch(/^:wee!\S+ SETNAME :Wee Renamed$/);
  raw.send("WHOIS wee");
  expect(await raw.expect(/ 311 watcher wee /)).toEndWith(" :Wee Renamed");
  // weechat understood the SETNAME sent back to it: it says so in its server buffer.
  await waitFileContains(join(dir, "logs", "irc.server.t.weechatlog"), "Wee Renamed", 10_000);
}, 30_000);

test("weechat negotiates extended-join and shows the realname of someone who joins", async () => {
  t = await startTestServer();
  const dir = mkdtempSync(join(tmpdir(), "chat-weechat-"));
  dirs.push(dir);
  const wee = Bun.spawn(
    [
      "weechat-headless",
      "--dir",
      dir,
      "-r",
      [
        "/set logger.file.flush_delay 0",
        `/server add t 127.0.0.1/${t.port} -notls -nicks=wee -username=wee -autojoin=#lobby`,
        '/set irc.server.t.capabilities "*"',
        "/connect t",
        "/wait 30 /quit",
      ].join(";"),
    ],
    {
      stdout: "ignore",
      stderr: "ignore",
      stdin: "ignore",
      env: { ...process.env, LANG: "C.UTF-8" },
    },
  );
  procs.push(wee);
  const raw = await t.client("watcher");
  raw.send("JOIN #lobby");
  await raw.expect(/^:wee!\S+ JOIN #lobby$/, 10_000);
  const late = await t.client("late", { realname: "Late Comer" });
  late.send("JOIN #lobby");
  await late.expect(/ 366 late #lobby /);
  // weechat prints an extended JOIN as "late (Late Comer) (~late@host) has joined #lobby".
  await waitFileContains(join(dir, "logs", "irc.t.#lobby.weechatlog"), "late (Late Comer)", 10_000);
}, 30_000);
