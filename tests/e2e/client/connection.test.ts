/**
 * ClientConnection against a scripted IRC server on a real 127.0.0.1 socket:
 * what the client says during registration, nick fallback, PING, and the
 * exact catch-up requests after a drop (which a real server hides).
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { FatalError } from "../../../src/cli/usage-error.ts";
import { ClientConnection, type ConnectionOptions } from "../../../src/client/connection.ts";
import type { ClientEvent } from "../../../src/client/events.ts";
import { message } from "../../../src/protocol/message.ts";

type Conn = Socket<{ buf: string; index: number }>;

/** Records every line each connection sends and lets the test answer. */
class ScriptedServer {
  readonly lines: string[][] = [];
  readonly sockets: Conn[] = [];
  private waiters: (() => void)[] = [];
  listener: TCPSocketListener<{ buf: string; index: number }>;
  onLine: (conn: number, line: string, reply: (s: string) => void) => void = () => {};

  constructor() {
    this.listener = Bun.listen<{ buf: string; index: number }>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (s) => {
          s.data = { buf: "", index: this.sockets.length };
          this.sockets.push(s);
          this.lines.push([]);
          this.poke();
        },
        data: (s, d) => {
          s.data.buf += new TextDecoder().decode(d);
          let nl = s.data.buf.indexOf("\n");
          while (nl !== -1) {
            const line = s.data.buf.slice(0, nl).replace(/\r$/, "");
            s.data.buf = s.data.buf.slice(nl + 1);
            this.lines[s.data.index]?.push(line);
            this.onLine(s.data.index, line, (out) => {
              s.write(`${out}\r\n`);
            });
            nl = s.data.buf.indexOf("\n");
          }
          this.poke();
        },
      },
    });
  }

  get port(): number {
    return this.listener.port;
  }

  private poke(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Wait (bounded) until connection `conn` has sent a line matching `re`. */
  async waitLine(conn: number, re: RegExp, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines[conn]?.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no line ${re} on connection ${conn}; got ${JSON.stringify(this.lines)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(conn: number, line: string): void {
    this.sockets[conn]?.write(`${line}\r\n`);
  }

  drop(conn: number): void {
    this.sockets[conn]?.end();
  }

  stop(): void {
    this.listener.stop(true);
  }
}

/** A well-behaved registration: offers caps, ACKs what is asked, welcomes, echoes JOIN. */
function friendly(caps: string, nick = () => "alice"): ScriptedServer["onLine"] {
  return (_conn, line, reply) => {
    if (line === "CAP LS 302") reply(`:srv CAP * LS :${caps}`);
    else if (line.startsWith("CAP REQ ")) reply(`:srv CAP * ACK :${line.slice(9)}`);
    else if (line === "CAP END") {
      reply(`:srv 001 ${nick()} :Welcome`);
      reply(`:srv 005 ${nick()} CHATHISTORY=100 :are supported`);
    } else if (line.startsWith("JOIN ")) {
      for (const room of line.slice(5).split(",")) reply(`:${nick()}!u@h JOIN ${room}`);
    }
  };
}

let server: ScriptedServer | undefined;
let client: ClientConnection | undefined;

afterEach(() => {
  client?.close();
  client = undefined;
  server?.stop();
  server = undefined;
});

function connect(port: number, over: Partial<ConnectionOptions> = {}) {
  const events: ClientEvent[] = [];
  const c = new ClientConnection({
    host: "127.0.0.1",
    port,
    nick: "alice",
    username: "alice",
    realname: "test",
    channels: ["#lobby"],
    reconnect: true,
    onEvent: (ev) => events.push(ev),
    ...over,
  });
  client = c;
  return { c, events };
}

describe("registration", () => {
  test("asks only for offered capabilities, sends PASS first, joins and loads recent history", async () => {
    server = new ScriptedServer();
    server.onLine = friendly("server-time echo-message batch sasl=PLAIN chathistory away-notify");
    const { c } = connect(server.port, { password: "pw" });
    await c.start();
    const lines = server.lines[0] ?? [];
    expect(lines.slice(0, 4)).toEqual([
      "PASS pw",
      "CAP LS 302",
      "NICK alice",
      "USER alice 0 * test",
    ]);
    expect(lines).toContain("CAP REQ :server-time echo-message batch chathistory away-notify");
    await server.waitLine(0, /^CHATHISTORY LATEST #lobby \* 50$/);
    expect(c.state.caps.has("echo-message")).toBe(true);
  });

  test("a taken nick falls back to nick_; PING is answered", async () => {
    server = new ScriptedServer();
    // Like a real server: no welcome until CAP END and an accepted nick.
    let nick: string | undefined;
    let capDone = false;
    const welcome = (reply: (s: string) => void): void => {
      if (capDone && nick !== undefined) reply(`:srv 001 ${nick} :Welcome`);
    };
    server.onLine = (_conn, line, reply) => {
      if (line === "CAP LS 302") reply(":srv CAP * LS :");
      else if (line === "NICK alice") reply(":srv 433 * alice :Nickname is already in use");
      else if (line.startsWith("NICK ")) {
        nick = line.slice(5);
        welcome(reply);
      } else if (line === "CAP END") {
        capDone = true;
        welcome(reply);
      } else if (line.startsWith("JOIN ")) reply(`:${nick}!u@h ${line}`);
    };
    const { c, events } = connect(server.port);
    await c.start();
    expect(c.state.nick).toBe("alice_");
    // The user is told, not left to spot "alice_ joined".
    expect(
      events.some((e) => e.type === "status" && /alice is taken .*you are alice_/.test(e.text)),
    ).toBe(true);
    server.send(0, "PING :are-you-there");
    await server.waitLine(0, /^PONG are-you-there$/);
  });

  test("CTCP VERSION and PING get a NOTICE answer", async () => {
    server = new ScriptedServer();
    server.onLine = friendly("");
    const { c } = connect(server.port);
    await c.start();
    server.send(0, ":bob!b@h PRIVMSG alice :\x01VERSION\x01");
    await server.waitLine(0, /^NOTICE bob :\x01VERSION chat \S+ \(chat join\)\x01$/);
  });

  test("a wrong password rejects start() with one actionable line", async () => {
    server = new ScriptedServer();
    server.onLine = (conn, line, reply) => {
      if (line === "CAP END" || line.startsWith("USER")) {
        reply(":srv 464 * :Password incorrect");
        reply("ERROR :Closing link (Bad password)");
        server?.drop(conn);
      } else if (line === "CAP LS 302") reply(":srv CAP * LS :");
    };
    const { c } = connect(server.port, { password: "nope" });
    const err = await c.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toBe(`wrong server password for 127.0.0.1:${server.port}`);
  });
});

describe("silent servers", () => {
  test("a server that accepts but never welcomes us is given up on with one line", async () => {
    server = new ScriptedServer();
    const { c } = connect(server.port, { registerTimeoutMs: 300 });
    const err = await c.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toBe(
      `127.0.0.1:${server.port} did not answer as a chat server within 300 ms`,
    );
  });

  test("a peer that goes silent is PINGed, then dropped and reconnected", async () => {
    server = new ScriptedServer();
    server.onLine = friendly("");
    const { c, events } = connect(server.port, { idleMs: 200 });
    await c.start();
    await server.waitLine(0, /^PING chat-idle$/);
    await server.waitLine(1, /^JOIN #lobby$/);
    const lost = events.find((e) => e.type === "status" && e.text.startsWith("disconnected"));
    expect(lost?.type === "status" && lost.text).toContain("no answer from the server");
  });
});

describe("after a drop", () => {
  test("reconnects, rejoins, and pages CHATHISTORY AFTER the last msgid seen", async () => {
    server = new ScriptedServer();
    const base = friendly("batch server-time message-tags chathistory");
    server.onLine = (conn, line, reply) => {
      base(conn, line, reply);
      // The second session: answer the catch-up with one full page, then a short one.
      const m = /^CHATHISTORY AFTER #lobby msgid=(\S+) 100$/.exec(line);
      if (conn !== 1 || m === null) return;
      const from = m[1] === "m7" ? 0 : 100;
      const n = from === 0 ? 100 : 3;
      reply(`:srv BATCH +h${from} chathistory #lobby`);
      for (let i = 0; i < n; i++)
        reply(`@batch=h${from};msgid=c${from + i} :bob!b@h PRIVMSG #lobby :missed ${from + i}`);
      reply(`:srv BATCH -h${from}`);
    };
    const { c, events } = connect(server.port);
    await c.start();
    server.send(0, "@msgid=m7 :bob!b@h PRIVMSG #lobby :seen before the drop");
    await server.waitLine(0, /^CHATHISTORY LATEST/);
    // Let the message arrive before dropping (the PONG proves it was read).
    server.send(0, "PING :sync");
    await server.waitLine(0, /^PONG sync$/);

    server.drop(0);
    await server.waitLine(1, /^JOIN #lobby$/);
    await server.waitLine(1, /^CHATHISTORY AFTER #lobby msgid=m7 100$/);
    await server.waitLine(1, /^CHATHISTORY AFTER #lobby msgid=c99 100$/);
    server.send(1, "PING :done");
    await server.waitLine(1, /^PONG done$/);

    const missed = events.filter((e) => e.type === "message" && e.text.startsWith("missed"));
    expect(missed).toHaveLength(103);
    expect(c.state.lastMsgid.get("#lobby")).toBe("c102");
    // A third page is not asked for: the second was short.
    expect((server.lines[1] ?? []).filter((l) => l.startsWith("CHATHISTORY AFTER"))).toHaveLength(
      2,
    );
    const statuses = events.filter((e) => e.type === "status").map((e) => e.text);
    expect(statuses).toHaveLength(3);
    expect(statuses[0]).toContain("disconnected");
    expect(statuses[1]).toContain("reconnected");
    expect(statuses[2]).toBe("caught up: 103 messages in #lobby while you were away");
  });

  test("when the drop is announced, the connection already reads as offline (the prompt says so)", async () => {
    server = new ScriptedServer();
    server.onLine = friendly("");
    const seen: { text: string; connected: boolean }[] = [];
    const { c } = connect(server.port, {
      onEvent: (ev) => {
        if (ev.type === "status") seen.push({ text: ev.text, connected: c.connected });
      },
    });
    await c.start();
    server.drop(0);
    await server.waitLine(1, /^JOIN #lobby$/);
    const drop = seen.find((s) => s.text.startsWith("disconnected"));
    expect(drop).toMatchObject({ connected: false });
  });

  test("someone marked away stays away after a reconnect; someone back stays back", async () => {
    server = new ScriptedServer();
    server.onLine = friendly("");
    const { c } = connect(server.port);
    await c.start();
    c.send(message("AWAY", ["lunch"]));
    await server.waitLine(0, /^AWAY :?lunch$/);
    server.drop(0);
    await server.waitLine(1, /^AWAY :?lunch$/);
    c.send(message("AWAY"));
    await server.waitLine(1, /^AWAY$/);
    server.drop(1);
    await server.waitLine(2, /^JOIN #lobby$/);
    server.send(2, "PING :sync");
    await server.waitLine(2, /^PONG sync$/);
    expect((server.lines[2] ?? []).filter((l) => l.startsWith("AWAY"))).toEqual([]);
  });

  test("a server that refuses the msgid is asked again by timestamp", async () => {
    server = new ScriptedServer();
    const base = friendly("batch server-time message-tags chathistory");
    server.onLine = (conn, line, reply) => {
      base(conn, line, reply);
      if (conn === 1 && line.startsWith("CHATHISTORY AFTER #lobby msgid="))
        reply(":srv FAIL CHATHISTORY INVALID_PARAMS AFTER msgid=m1 :Unknown message id");
    };
    const { c } = connect(server.port);
    await c.start();
    server.send(0, "@msgid=m1;time=2026-11-25T12:00:00.000Z :bob!b@h PRIVMSG #lobby :hi");
    server.send(0, "PING :sync");
    await server.waitLine(0, /^PONG sync$/);
    server.drop(0);
    await server.waitLine(1, /^CHATHISTORY AFTER #lobby timestamp=2026-11-25T12:00:00\.000Z 100$/);
    expect(c.state.lastMsgid.get("#lobby")).toBe("m1");
  });

  test("without reconnect (pipe mode) a drop ends the session with one line", async () => {
    server = new ScriptedServer();
    server.onLine = friendly("");
    let onClose: (r: string) => void = () => {};
    const closed = new Promise<string>((resolve, reject) => {
      onClose = resolve;
      setTimeout(() => reject(new Error("onClose was not called within 5 s")), 5000).unref();
    });
    const { c } = connect(server.port, { reconnect: false, onClose: (r) => onClose(r) });
    await c.start();
    server.send(0, "ERROR :Closing link (Killed by an operator)");
    server.drop(0);
    expect(await closed).toBe(
      `lost the connection to 127.0.0.1:${server.port}: Closing link (Killed by an operator)`,
    );
  });
});
