/**
 * The admin socket: a unix socket in the data directory, mode 0600 (the
 * folder is 0700 too), so only the host's own user can moderate through it.
 * Lines in are requests (protocol.ts), one JSON answer a line out.
 */
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import type { Socket, UnixSocketListener } from "bun";
import type { CoreParts } from "../core/parts.ts";
import { LineFramer } from "../protocol/framing.ts";
import { LineWriter } from "./line-writer.ts";
import { answer } from "./protocol.ts";

/** A request line may be this long; longer ones are answered with an error and skipped. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface AdminSocket {
  readonly path: string;
  stop(): void;
}

/** Answers waiting for a client that reads slowly; past this it is cut off. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

interface ConnState {
  framer: LineFramer;
  out: LineWriter;
}

const encoder = new TextEncoder();

function reply(socket: Socket<ConnState>, value: unknown): void {
  socket.data.out.send(encoder.encode(`${JSON.stringify(value)}\n`));
}

/** Whether a live server answers on `path` (a leftover file from a killed one does not). */
async function inUse(path: string): Promise<boolean> {
  try {
    const s = await Bun.connect({ unix: path, socket: { data() {} } });
    s.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Listen on `path`. Returns undefined (after one log line) when another
 * running server holds it or it cannot be made: chat serve runs on without it.
 */
export async function startAdminSocket(
  path: string,
  core: CoreParts,
  log: (line: string) => void,
): Promise<AdminSocket | undefined> {
  if (existsSync(path)) {
    if (await inUse(path)) {
      log(`admin socket ${path} belongs to another running chat serve; not serving one here`);
      return undefined;
    }
    try {
      unlinkSync(path);
    } catch {
      // Listening below fails with the reason.
    }
  }
  let listener: UnixSocketListener<ConnState>;
  // The socket file is created with mode 0600 from the start, not chmod-ed after.
  const umask = process.umask(0o177);
  try {
    listener = Bun.listen<ConnState>({
      unix: path,
      socket: {
        open(socket) {
          socket.data = {
            framer: new LineFramer(MAX_REQUEST_BYTES),
            out: new LineWriter(socket, MAX_QUEUED_BYTES),
          };
        },
        drain(socket) {
          socket.data.out.drain();
        },
        data(socket, chunk) {
          for (const ev of socket.data.framer.push(chunk)) {
            if (ev.kind === "overlong") {
              reply(socket, { ok: false, error: `request over ${MAX_REQUEST_BYTES} bytes` });
            } else if (ev.line.trim() !== "") {
              reply(socket, answer(core, ev.line));
            }
          }
        },
      },
    });
  } catch (err) {
    log(`cannot open the admin socket ${path}: ${err instanceof Error ? err.message : err}`);
    return undefined;
  } finally {
    process.umask(umask);
  }
  try {
    chmodSync(path, 0o600);
  } catch {
    // Best effort: the umask already made it 0600.
  }
  return {
    path,
    stop() {
      listener.stop(true);
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}
