/**
 * A WebSocket client that stops reading: a real process (Python, so its
 * socket is not one of ours) does the handshake by hand with a tiny receive
 * buffer, registers as `slow`, joins `#r`, then never reads again. And the
 * flood that fills its send queue until the server cuts it off.
 */
import type { TestClient } from "./irc-client.ts";

const SCRIPT = `
import socket, sys, time, os, base64
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
  "Sec-WebSocket-Key: " + key + "\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n").encode())
def frame(text):
    data = text.encode()
    mask = os.urandom(4)
    return bytes([0x81, 0x80 | len(data)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))
for line in ["NICK slow", "USER slow 0 * :slow", "JOIN #r"]:
    s.sendall(frame(line))
buf = b""
while b" 366 " not in buf:
    buf += s.recv(4096)
print("joined", flush=True)
time.sleep(30)
`;

/** Start the stalled reader against `port`; the caller kills it when done. */
export function spawnStalledWsReader(port: number): ReturnType<typeof Bun.spawn> {
  return Bun.spawn(["/usr/bin/python3", "-c", SCRIPT, String(port)], { stdout: "pipe" });
}

/**
 * `sender` (a member of #r) floods the room until it sees `slow` quit with
 * SendQ exceeded. Bounded: at most 400 rounds of 100 lines. True when it did.
 */
export async function floodUntilSlowIsCut(sender: TestClient): Promise<boolean> {
  const payload = "z".repeat(400);
  for (let round = 0; round < 400; round++) {
    let batch = "";
    for (let i = 0; i < 100; i++) batch += `PRIVMSG #r :${round}.${i} ${payload}\r\n`;
    sender.sendRaw(batch);
    sender.send(`PING r${round}`);
    await sender.expect("PONG", 10_000);
    if (sender.lines.some((l) => /:slow!\S+ QUIT :SendQ exceeded/.test(l))) return true;
  }
  return false;
}
