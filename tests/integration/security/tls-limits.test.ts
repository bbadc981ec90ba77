/**
 * The send-queue cap holds for TLS connections too: a client that stops reading
 * is cut off with "SendQ exceeded" while a plain member keeps receiving, and its
 * socket is closed at once rather than left holding a file descriptor and the
 * kernel's buffer (the per-address cap no longer counts it once it is cut).
 */
import { expect, test } from "bun:test";
import { startTestServer } from "../../helpers/server.ts";
import { freedAfterEach, opensslCert } from "./helpers.ts";

const live = freedAfterEach();

test.each([
  ["TLS", true],
  ["plain", false],
])(
  "a %s client that never reads is cut off with SendQ exceeded, its socket closed; others keep receiving",
  async (_kind, useTls) => {
    const cert = opensslCert();
    live.cleanups.push(cert.cleanup);
    const t = await startTestServer({
      limits: { sendQBytes: 256 * 1024, floodLimit: false },
      tls: { cert: cert.cert, key: cert.key },
    });
    live.server = t;
    const a = await t.client("alice");
    const b = await t.client("bob");
    a.send("JOIN #r");
    b.send("JOIN #r");
    await a.expect(/:bob!\S+ JOIN #r$/);
    // A real client (Python, with its ssl module for TLS) that joins and then never reads again.
    const script = `
import socket, ssl, sys, time
raw = socket.socket()
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
raw.connect(("127.0.0.1", int(sys.argv[1])))
s = raw
if sys.argv[2] == "tls":
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(raw)
s.sendall(b"NICK slow\\r\\nUSER slow 0 * :slow\\r\\nJOIN #r\\r\\n")
buf = b""
while b" 366 " not in buf:
    buf += s.recv(4096)
print("joined", flush=True)
sys.stdin.readline()  # the test says when to look
# Without reading a byte (reading would unstick the server), watch the TCP state:
# 1 is ESTABLISHED; a reset or the server's FIN moves it elsewhere.
deadline = time.time() + 10
state = 1
while time.time() < deadline:
    state = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
    if state != 1:
        break
    time.sleep(0.05)
print("closed" if state != 1 else "still open", flush=True)
`;
    const proc = Bun.spawn(
      ["/usr/bin/python3", "-c", script, String(t.port), useTls ? "tls" : "plain"],
      {
        stdin: "pipe",
        stdout: "pipe",
      },
    );
    live.procs.push(proc);
    await a.expect(/:slow!\S+ JOIN #r$/, 10_000);
    const payload = "z".repeat(400);
    let cut = false;
    // Bounded: at most 40,000 lines (~16 MB) or until the slow one is dropped.
    for (let round = 0; round < 400 && !cut; round++) {
      let batch = "";
      for (let i = 0; i < 100; i++) batch += `PRIVMSG #r :${round}.${i} ${payload}\r\n`;
      a.sendRaw(batch);
      a.send(`PING r${round}`);
      await a.expect("PONG", 10_000);
      cut = a.lines.some((l) => /:slow!\S+ QUIT :SendQ exceeded/.test(l));
    }
    expect(cut).toBe(true);
    a.send("PRIVMSG #r :after the cut");
    await b.expect(/PRIVMSG #r :after the cut$/, 10_000);
    // The server really let go of the socket (no lingering fd for a stalled peer),
    // seen from the peer's TCP state while it still reads nothing.
    proc.stdin.write("check\n");
    await proc.stdin.flush();
    const out = await new Response(proc.stdout).text();
    expect(out).toContain("joined");
    expect(out).toContain("closed");
  },
  30_000,
);
