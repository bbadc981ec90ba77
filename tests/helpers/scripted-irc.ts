/**
 * A scripted IRC server on 127.0.0.1 for client tests: it records what the
 * client sends and answers each line with whatever the test's `onLine` says.
 * Used to play a hostile or unusual server that our own server would never be.
 */
import type { Socket, TCPSocketListener } from "bun";

type Data = { buf: string };

export class ScriptedIrc {
  readonly lines: string[] = [];
  private socket: Socket<Data> | undefined;
  private waiters: (() => void)[] = [];
  readonly listener: TCPSocketListener<Data>;

  constructor(private readonly onLine: (line: string, send: (out: string) => void) => void) {
    this.listener = Bun.listen<Data>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (s) => {
          s.data = { buf: "" };
          this.socket = s;
        },
        data: (s, d) => {
          s.data.buf += new TextDecoder().decode(d);
          let nl = s.data.buf.indexOf("\n");
          while (nl !== -1) {
            const line = s.data.buf.slice(0, nl).replace(/\r$/, "");
            s.data.buf = s.data.buf.slice(nl + 1);
            this.lines.push(line);
            this.onLine(line, (out) => this.send(out));
            nl = s.data.buf.indexOf("\n");
          }
          for (const w of this.waiters.splice(0)) w();
        },
      },
    });
  }

  get port(): number {
    return this.listener.port;
  }

  send(line: string): void {
    this.socket?.write(`${line}\r\n`);
  }

  /** Wait (bounded) until the client has sent a line matching `re`. */
  async waitLine(re: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line ${re}; got ${JSON.stringify(this.lines)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Close the client's connection (after an ERROR, as a server does). */
  hangUp(): void {
    this.socket?.end();
  }

  stop(): void {
    this.listener.stop(true);
  }
}
