/**
 * The fixture the window, search and paste tests share: a private home, the
 * compiled server started once for the file, `chat join` under a PTY and raw
 * IRC peers, all stopped after each test (the server after the file).
 */
import { afterAll, afterEach, beforeAll } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import {
  ensureBinary,
  makeHome,
  type PtyClient,
  type ServerProc,
  spawnPty,
  startServer,
} from "./harness.ts";

export interface ClientSession {
  env: Record<string, string>;
  server(): ServerProc;
  /** `chat join 127.0.0.1:PORT --nick NICK ...extra` under a PTY. */
  pty(nick: string, extra?: string[]): PtyClient;
  /** A raw IRC client, registered, in each of `rooms`. */
  peer(nick: string, rooms: string[], caps?: string[]): Promise<TestClient>;
  /** Wait until the prompt names `room`. */
  prompt(c: PtyClient, room: string): Promise<void>;
}

export function clientSession(): ClientSession {
  const home = makeHome();
  const started: PtyClient[] = [];
  const peers: TestClient[] = [];
  let server: ServerProc | undefined;
  beforeAll(async () => {
    ensureBinary();
    server = await startServer(home.env);
  }, 120_000);
  afterEach(() => {
    for (const c of started.splice(0)) c.kill();
    for (const p of peers.splice(0)) p.close();
  });
  afterAll(async () => {
    await server?.stop();
    home.cleanup();
  });
  const running = (): ServerProc => {
    if (server === undefined) throw new Error("the server is not started yet");
    return server;
  };
  return {
    env: home.env,
    server: running,
    pty(nick, extra = []) {
      const c = spawnPty(
        ["join", `127.0.0.1:${running().port}`, "--nick", nick, ...extra],
        home.env,
      );
      started.push(c);
      return c;
    },
    async peer(nick, rooms, caps = []) {
      const p = await TestClient.connect(running().port);
      peers.push(p);
      await p.register(nick, caps.length > 0 ? { caps } : {});
      for (const r of rooms) {
        p.send(`JOIN ${r}`);
        await p.expect(new RegExp(` 366 ${nick} ${r} `));
      }
      return p;
    },
    prompt: (c, room) =>
      c.waitUntil((t) => t.cursorRow().startsWith(`[${room}]`), `the ${room} prompt`),
  };
}
