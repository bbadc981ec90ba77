/**
 * WebSocket keep-alive: the server pings a quiet socket (Bun's sendPings); a
 * client that answers with pongs stays, one whose other end is gone (no pong,
 * no data) is dropped and its room sees it quit. The IRC PING timeout is set
 * far longer than the WebSocket one, so only the WebSocket keep-alive can be
 * what drops the dead client here.
 */
import { afterEach, expect, test } from "bun:test";
import type { Socket } from "bun";
import {
  clientFrame,
  FrameReader,
  pongFrame,
  upgradeRequest,
} from "../../../bench/lib/ws-frames.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";

let t: TestServer | undefined;
const sockets: Socket<undefined>[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.end();
  await t?.stop();
  t = undefined;
});

interface RawWs {
  readonly lines: string[];
  pings: number;
  closed: boolean;
  send(line: string): void;
}

/** A WebSocket client at the frame level, so the test decides whether pongs go back. */
async function rawWs(port: number, answerPings: boolean): Promise<RawWs> {
  const out: RawWs = { lines: [], pings: 0, closed: false, send: () => {} };
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  let sock: Socket<undefined> | undefined;
  const reader = new FrameReader({
    open: () => opened(),
    messages: (buf, starts, ends, n) => {
      for (let i = 0; i < n; i++) out.lines.push(buf.toString("utf8", starts[i], ends[i]));
    },
    ping: (p) => {
      out.pings++;
      if (answerPings) sock?.write(pongFrame(p));
    },
    fail: () => {
      out.closed = true;
    },
  });
  sock = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_s, d) => reader.feed(d),
      close: () => {
        out.closed = true;
      },
    },
  });
  sockets.push(sock);
  sock.write(upgradeRequest("127.0.0.1", port, "text.ircv3.net"));
  await open;
  out.send = (line) => sock?.write(clientFrame(Buffer.from(line), 1));
  return out;
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

test("a quiet client that answers pings stays; a dead one is dropped and its room sees it quit", async () => {
  // WebSocket idle timeout = 2 x pingIdleMs = 4 s; the IRC PING timeout (60 s) never fires here.
  t = await startTestServer({ limits: { pingIdleMs: 2000, pingTimeoutMs: 60_000 } });
  const watcher = await t.client("watcher");
  watcher.send("JOIN #r");
  await watcher.expect(/ 366 /);
  const live = await rawWs(t.port, true);
  const dead = await rawWs(t.port, false);
  for (const [c, nick] of [
    [live, "live"],
    [dead, "dead"],
  ] as const) {
    c.send(`NICK ${nick}`);
    c.send(`USER ${nick} 0 * :${nick}`);
    c.send("JOIN #r");
    await until(`${nick} to join`, () => c.lines.some((l) => / 366 /.test(l)), 3000);
  }
  // From here on neither client sends a byte of IRC: only pongs keep `live` alive.
  await watcher.expect(/^:dead!\S+ QUIT :/, 15_000);
  expect(dead.pings).toBeGreaterThan(0);
  await until("the dead socket to close", () => dead.closed, 3000);
  // Past another whole idle timeout: had its pongs not counted, `live` would be gone by now.
  const pingsSoFar = live.pings;
  await Bun.sleep(5000);
  expect(live.pings).toBeGreaterThan(pingsSoFar);
  expect(live.closed).toBe(false);
  expect(watcher.lines.some((l) => /^:live!\S+ QUIT /.test(l))).toBe(false);
  // Still a member: it can speak and be heard.
  live.send("PRIVMSG #r :still here");
  await watcher.expect(/^:live!\S+ PRIVMSG #r :still here$/);
}, 30_000);
