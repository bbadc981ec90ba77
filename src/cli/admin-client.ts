/**
 * One request over the admin socket: connect, send a JSON line, read the one
 * JSON line that answers it. No running server is one clear FatalError.
 */
import { FatalError } from "./usage-error.ts";

export type AdminAnswer = { ok: true; result: unknown } | { ok: false; error: string };

/** How long to wait for the answer before giving up. */
const ANSWER_TIMEOUT_MS = 10_000;

function noServer(path: string, err: unknown): FatalError {
  const code = (err as { code?: unknown } | null)?.code;
  const why =
    code === "ENOENT"
      ? "no such socket"
      : code === "ECONNREFUSED"
        ? "nothing is listening (a server that stopped left it)"
        : code === "EACCES"
          ? "permission denied (run as the user that runs chat serve)"
          : err instanceof Error
            ? err.message
            : String(err);
  return new FatalError(
    `no running chat server at ${path}: ${why}; start chat serve, or give its --db or --socket`,
  );
}

export async function adminRequest(path: string, request: object): Promise<AdminAnswer> {
  let buffered = "";
  const decoder = new TextDecoder();
  let done: (a: AdminAnswer) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const answered = new Promise<AdminAnswer>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  let socket: Awaited<ReturnType<typeof Bun.connect>>;
  try {
    socket = await Bun.connect({
      unix: path,
      socket: {
        data(_s, chunk) {
          buffered += decoder.decode(chunk, { stream: true });
          const nl = buffered.indexOf("\n");
          if (nl === -1) return;
          try {
            done(JSON.parse(buffered.slice(0, nl)) as AdminAnswer);
          } catch {
            fail(new FatalError(`the server at ${path} answered something that is not JSON`));
          }
        },
        close() {
          fail(
            new FatalError(`the server at ${path} closed the admin connection without answering`),
          );
        },
      },
    });
  } catch (err) {
    throw noServer(path, err);
  }
  socket.write(`${JSON.stringify(request)}\n`);
  const timer = setTimeout(
    () =>
      fail(
        new FatalError(`no answer from the server at ${path} within ${ANSWER_TIMEOUT_MS / 1000} s`),
      ),
    ANSWER_TIMEOUT_MS,
  );
  try {
    return await answered;
  } finally {
    clearTimeout(timer);
    socket.end();
  }
}
