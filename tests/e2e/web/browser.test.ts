/**
 * The web client in a real browser: Debian's chromium, headless, driven by
 * playwright-core against the compiled binary. Two pages and a raw IRC client
 * talk both ways; a reload keeps the nick and shows history; a server restart
 * is followed by a reconnect that shows what was missed; markup from the
 * network stays text; a DM raises a notification; a phone-width page has no
 * horizontal scroll. Also takes the README's screenshot (docs/web.png).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ensureChatBinary, REPO_ROOT } from "../../helpers/binary.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { type ServeProcess, serveCommand, spawnServe } from "../../helpers/serve-process.ts";

const CHROMIUM = "/usr/bin/chromium";
const XSS = "<img src=x onerror=alert(1)>";
const WAIT = { timeout: 10_000 };

let browser: Browser;
let dir: string;
let server: ServeProcess | undefined;
const contexts: BrowserContext[] = [];
const raws: TestClient[] = [];

beforeAll(async () => {
  ensureChatBinary();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  for (const r of raws.splice(0)) r.close();
  await server?.stop();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serve(port = 0, extra: string[] = []): Promise<ServeProcess> {
  const db = join(dir, "chat.db");
  server = await spawnServe(serveCommand(["--db", db, "--quiet", ...extra], "binary", port), {
    readyWhen: /In a browser: /,
  });
  return server;
}

function freshDir(): void {
  dir = mkdtempSync(join(tmpdir(), "chat-web-e2e-"));
}

/** A page in its own browser profile, with what it raises recorded (alerts, notifications). */
async function openPage(port: number, width = 1000, scheme = "http"): Promise<Page> {
  // The https test's certificate is the server's own self-signed one.
  const ctx = await browser.newContext({
    viewport: { width, height: 700 },
    ignoreHTTPSErrors: scheme === "https",
  });
  contexts.push(ctx);
  await ctx.grantPermissions(["notifications"], { origin: `${scheme}://127.0.0.1:${port}` });
  // Record what the page raises: notifications it shows, and any alert() a payload might run.
  await ctx.addInitScript({
    content: `
      window.__notes = [];
      window.__dialogs = 0;
      const Real = window.Notification;
      class Recorded extends Real {
        constructor(title, opts) {
          super(title, opts);
          window.__notes.push(title + ": " + ((opts && opts.body) || ""));
        }
      }
      Object.defineProperty(window, "Notification", { value: Recorded });
      window.alert = () => { window.__dialogs++; };
    `,
  });
  const page = await ctx.newPage();
  page.on("dialog", () => {
    throw new Error("a dialog opened: script from the network ran");
  });
  await page.goto(`${scheme}://127.0.0.1:${port}/`);
  return page;
}

/**
 * The page's globals, for functions that run in the browser (the tests are
 * type-checked without the DOM library; the page's CSP forbids string eval).
 */
type PageGlobals = {
  document: { title: string; querySelectorAll(s: string): { length: number } };
};

async function login(page: Page, nick: string): Promise<void> {
  await page.fill("input[name=nick]", nick);
  await page.click(".login button");
  await page.locator(".room.current", { hasText: "#lobby" }).waitFor(WAIT);
  await page.locator(".status", { hasText: "online" }).waitFor(WAIT);
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill("input[name=text]", text);
  await page.press("input[name=text]", "Enter");
}

function line(page: Page, text: string) {
  return page.locator(".log .line", { hasText: text });
}

async function raw(port: number, nick: string): Promise<TestClient> {
  const c = await TestClient.connect(port);
  raws.push(c);
  await c.register(nick);
  c.send("JOIN #lobby");
  await c.expect(/ 366 /);
  return c;
}

describe("the web client in chromium", () => {
  test("two pages and a raw IRC client exchange messages both ways", async () => {
    freshDir();
    const { port } = await serve();
    const alice = await openPage(port);
    await login(alice, "alice");
    const bob = await openPage(port);
    await login(bob, "bob");
    const irc = await raw(port, "carol");
    await say(alice, "hello from alice");
    await line(bob, "hello from alice").waitFor(WAIT);
    await irc.expect(/^:alice!\S+ PRIVMSG #lobby :hello from alice$/);
    await say(bob, "/me waves");
    await irc.expect(/^:bob!\S+ PRIVMSG #lobby :\x01ACTION waves\x01$/);
    await line(alice, "waves").waitFor(WAIT);
    irc.send("PRIVMSG #lobby :hi pages, see https://example.org/x");
    await line(alice, "hi pages").waitFor(WAIT);
    await line(bob, "hi pages").waitFor(WAIT);
    const link = alice.locator(".log a", { hasText: "https://example.org/x" });
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await link.getAttribute("href")).toBe("https://example.org/x");
    // Typing notices reach the other page.
    await bob.fill("input[name=text]", "typing…");
    await alice.locator(".typing", { hasText: "bob is typing" }).waitFor(WAIT);
  }, 60_000);

  test("a reload keeps the nick and shows the room's history", async () => {
    freshDir();
    const { port } = await serve();
    const page = await openPage(port);
    await login(page, "dana");
    const irc = await raw(port, "erin");
    irc.send("PRIVMSG #lobby :said before the reload");
    await line(page, "said before the reload").waitFor(WAIT);
    await page.reload();
    await page.locator(".status", { hasText: "you are dana" }).waitFor(WAIT);
    expect(await page.locator(".login").isHidden()).toBe(true);
    await line(page, "said before the reload").waitFor(WAIT);
    expect(await line(page, "said before the reload").count()).toBe(1);
  }, 60_000);

  test("the page claims its nick with a kept secret: a reload proves it, anyone else is refused it", async () => {
    freshDir();
    const { port } = await serve();
    const page = await openPage(port);
    await login(page, "hana");
    const secrets = await page.evaluate(() => localStorage.getItem("chat.secrets"));
    expect(Object.keys(JSON.parse(secrets ?? "{}"))).toEqual(["hana"]);
    await page.reload();
    await page.locator(".status", { hasText: "you are hana" }).waitFor(WAIT);
    // The owner leaves; the nick stays theirs.
    await page.context().close();
    const other = await openPage(port);
    await other.fill("input[name=nick]", "hana");
    await other.click(".login button");
    await other.locator(".status", { hasText: "you are hana_" }).waitFor(WAIT);
    const irc = await TestClient.connect(port);
    raws.push(irc);
    irc.send("NICK hana");
    irc.send("USER hana 0 * :hana");
    await irc.expect(/ 433 \S+ hana :.*claimed/i);
    // Under the per-address cap with room to spare: the impostors leave first.
    irc.close();
    await other.context().close();
    // The owner comes back (a new page in the first profile would have the secret; here the
    // test hands it over, as a person would with /secret) and gets the nick again.
    const back = await openPage(port);
    await back.evaluate((s) => localStorage.setItem("chat.secrets", s), secrets ?? "{}");
    await login(back, "hana");
    await back.locator(".status", { hasText: "you are hana" }).waitFor(WAIT);
    expect(await back.locator(".status", { hasText: "you are hana_" }).count()).toBe(0);
  }, 60_000);

  test("read markers: unread counts survive a reload and follow the owner's other device", async () => {
    freshDir();
    const { port } = await serve();
    const a = await openPage(port);
    await login(a, "ivy");
    const irc = await raw(port, "jon");
    irc.send("PRIVMSG #lobby :read on screen");
    await line(a, "read on screen").waitFor(WAIT);
    await say(a, "/join #other");
    await a.locator(".room.current", { hasText: "#other" }).waitFor(WAIT);
    irc.send("PRIVMSG #lobby :came while away");
    const lobby = (p: Page) => p.locator(".room", { hasText: "#lobby" }).locator(".unread");
    await lobby(a).filter({ hasText: /^1$/ }).waitFor(WAIT);
    // A reload rebuilds the count from history and the server's marker.
    await a.reload();
    await a.locator(".status", { hasText: "you are ivy" }).waitFor(WAIT);
    await a.locator(".room.current", { hasText: "#other" }).waitFor(WAIT);
    await lobby(a).filter({ hasText: /^1$/ }).waitFor(WAIT);
    // The owner reads #lobby on another device (the secret handed over, as with /secret).
    const secrets = await a.evaluate(() => localStorage.getItem("chat.secrets"));
    await a.goto("about:blank");
    const b = await openPage(port);
    await b.evaluate((s) => localStorage.setItem("chat.secrets", s), secrets ?? "{}");
    await login(b, "ivy");
    await line(b, "came while away").waitFor(WAIT);
    await b.goto("about:blank");
    // Back on the first device: #lobby was read elsewhere, so nothing is unread there.
    await a.goto(`http://127.0.0.1:${port}/`);
    await a.locator(".status", { hasText: "you are ivy" }).waitFor(WAIT);
    await a.locator(".room.current", { hasText: "#other" }).waitFor(WAIT);
    // One new line: had the other device's reading not reached this one, #lobby would show 2.
    irc.send("PRIVMSG #lobby :after both");
    await lobby(a).filter({ hasText: /^1$/ }).waitFor(WAIT);
  }, 60_000);

  test("joining shows the latest page of history; scrolling up brings older pages", async () => {
    freshDir();
    const { port } = await serve(0, ["--no-flood-limit"]);
    const irc = await raw(port, "old");
    for (let i = 0; i < 130; i++) irc.send(`PRIVMSG #lobby :line ${i} of the past`);
    irc.send("PING done");
    await irc.expect("PONG");
    const page = await openPage(port);
    await login(page, "reader");
    await line(page, "line 129 of the past").waitFor(WAIT);
    expect(await line(page, "line 0 of the past").count()).toBe(0);
    // Bounded: each scroll to the top asks for one more page (CHATHISTORY BEFORE).
    for (let i = 0; i < 10 && (await line(page, "line 0 of the past").count()) === 0; i++) {
      const before = await page.locator(".log .line.message").count();
      await page.locator(".log").evaluate((el) => {
        el.scrollTop = 0;
      });
      await page.waitForFunction(
        (n) =>
          (globalThis as unknown as PageGlobals).document.querySelectorAll(".log .line.message")
            .length > n,
        before,
        WAIT,
      );
    }
    await line(page, "line 0 of the past").waitFor(WAIT);
    expect(await page.locator(".log .line.message").count()).toBe(130);
  }, 60_000);

  test("after a server restart the page reconnects and shows what it missed", async () => {
    freshDir();
    const first = await serve();
    const port = first.port;
    const page = await openPage(port);
    await login(page, "frank");
    await say(page, "before the restart");
    await line(page, "before the restart").waitFor(WAIT);
    await first.stop();
    await page.locator(".status.offline").waitFor(WAIT);
    await serve(port);
    // Someone speaks right after the restart, while the page is still waiting to retry.
    const irc = await raw(port, "gina");
    irc.send("PRIVMSG #lobby :missed while you were away");
    await page.locator(".status", { hasText: "online" }).waitFor({ timeout: 20_000 });
    await line(page, "missed while you were away").waitFor(WAIT);
    expect(await line(page, "missed while you were away").count()).toBe(1);
    expect(await line(page, "before the restart").count()).toBe(1);
    await say(page, "back again");
    await irc.expect(/^:frank!\S+ PRIVMSG #lobby :back again$/, 10_000);
  }, 60_000);

  test("markup from the network shows as text and runs nothing", async () => {
    freshDir();
    const { port } = await serve();
    const page = await openPage(port);
    // The login form refuses a nick like this one, and says why, as text.
    await page.fill("input[name=nick]", XSS);
    await page.click(".login button");
    await page.locator(".login .error", { hasText: "A nick is" }).waitFor(WAIT);
    await login(page, "hana");
    const irc = await raw(port, "ivan");
    // An IRC nick cannot hold it either: the server refuses it.
    irc.send(`NICK :${XSS}`);
    await irc.expect(/ 432 /);
    irc.send(`PRIVMSG #lobby :${XSS}`);
    await say(page, `/topic ${XSS}`);
    irc.send(`PRIVMSG hana :${XSS} in private`);
    await line(page, XSS).first().waitFor(WAIT);
    await page.locator(".topic", { hasText: XSS }).waitFor(WAIT);
    await page.locator(".room", { hasText: "ivan" }).click();
    await line(page, `${XSS} in private`).waitFor(WAIT);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate("window.__dialogs")).toBe(0);
  }, 60_000);

  test("a DM raises a notification and a title badge", async () => {
    freshDir();
    const { port } = await serve();
    const page = await openPage(port);
    await login(page, "jo");
    const irc = await raw(port, "kim");
    irc.send("PRIVMSG jo :are you there?");
    await page.locator(".room", { hasText: "kim" }).locator(".mention").waitFor(WAIT);
    const notes = await page.evaluate("window.__notes");
    expect(notes).toEqual(["kim (private): are you there?"]);
    expect(await page.title()).toMatch(/^\(1\) /);
    await page.locator(".room", { hasText: "kim" }).click();
    await page.waitForFunction(
      () => !(globalThis as unknown as PageGlobals).document.title.startsWith("("),
      undefined,
      WAIT,
    );
  }, 60_000);

  test("at 375 px wide the page has no horizontal scroll", async () => {
    freshDir();
    const { port } = await serve();
    const page = await openPage(port, 375);
    await login(page, "lee");
    for (const r of ["#a-long-room-name", "#another-room", "#third-room"]) {
      await say(page, `/join ${r}`);
      await page.locator(".room.current", { hasText: r }).waitFor(WAIT);
    }
    await say(page, `${"x".repeat(300)} https://example.org/${"y".repeat(200)}`);
    await line(page, "xxxx").waitFor(WAIT);
    const widths = (await page.evaluate(
      "({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })",
    )) as { scroll: number; client: number };
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  }, 60_000);

  test("behind --tls the page is served over https and chats over wss on the same port", async () => {
    freshDir();
    const { port } = await serve(0, ["--tls"]);
    const page = await openPage(port, 1000, "https");
    await login(page, "tess");
    const irc = await raw(port, "uma");
    await say(page, "hello over TLS");
    await irc.expect(/^:tess!\S+ PRIVMSG #lobby :hello over TLS$/);
    irc.send("PRIVMSG #lobby :and back");
    await line(page, "and back").waitFor(WAIT);
  }, 60_000);

  test("the README's screenshot", async () => {
    freshDir();
    const { port } = await serve();
    const page = await openPage(port, 900);
    await login(page, "alice");
    await say(page, "/topic Saturday's hike: meet at the station at 9");
    await page.locator(".topic", { hasText: "Saturday" }).waitFor(WAIT);
    await say(page, "/join #photos");
    await page.locator(".room.current", { hasText: "#photos" }).waitFor(WAIT);
    await page.locator(".room", { hasText: "#lobby" }).click();
    const irc = await raw(port, "bob");
    irc.send("JOIN #photos");
    irc.send("PRIVMSG #photos :uploaded the ones from last week");
    irc.send("PRIVMSG #photos :alice: yours are the best");
    irc.send("PRIVMSG alice :can you bring the map?");
    irc.send("PRIVMSG #lobby :morning! who is in for saturday?");
    await line(page, "who is in").waitFor(WAIT);
    await say(page, "me! the map is at https://example.org/trail");
    await line(page, "the map is").waitFor(WAIT);
    irc.send("PRIVMSG #lobby :\x01ACTION packs the snacks\x01");
    await line(page, "packs the snacks").waitFor(WAIT);
    // docs/web.png is rewritten only on request, so a test run leaves the tree clean.
    const path =
      process.env.UPDATE_SCREENSHOT === "1"
        ? join(REPO_ROOT, "docs", "web.png")
        : join(dir, "web.png");
    await page.screenshot({ path });
    expect(statSync(path).size).toBeGreaterThan(10_000);
  }, 60_000);
});
