/**
 * `chat join`: wire the connection to the terminal UI (stdin is a terminal)
 * or to pipe mode (stdin is not, or --json). Expected failures leave as
 * FatalError: one line on stderr, exit status 1.
 */
import { userInfo } from "node:os";
import { join } from "node:path";
import { ClientConnection, type TlsTrust } from "../client/connection.ts";
import type { ClientEvent } from "../client/events.ts";
import { IgnoreList } from "../client/ignore.ts";
import { Interactive, type Tty } from "../client/interactive.ts";
import { pipeOutput, readLines, runPipe } from "../client/pipe.ts";
import { sanitizeNick } from "../client/text.ts";
import { defaultConfigDir } from "../security/paths.ts";
import { checkServerTrust, tlsConnectOptions } from "../security/tls-client.ts";
import type { JoinConfig } from "./join-config.ts";
import { FatalError } from "./usage-error.ts";

type Env = Record<string, string | undefined>;

/** `$XDG_CONFIG_HOME/chat/ignore`; none (nothing kept) when no home folder is known. */
function ignoreFile(env: Env): string | undefined {
  try {
    return join(defaultConfigDir(env), "ignore");
  } catch {
    return undefined;
  }
}

function loginName(env: Env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? "";
  }
}

/** CHAT_NICK is already in config.nick; otherwise the login name, made valid. */
export function defaultNick(config: JoinConfig, env: Env): string {
  return config.nick ?? sanitizeNick(loginName(env));
}

function tlsTrust(config: JoinConfig, env: Env, ask: (q: string) => Promise<boolean>): TlsTrust {
  return {
    options: tlsConnectOptions(config.host),
    async verify(socket, chainError) {
      const result = await checkServerTrust(socket, chainError, {
        host: config.host,
        port: config.port,
        fingerprint: config.fingerprint,
        insecure: config.insecure,
        ask,
        env,
      });
      return result.ok ? undefined : result.message;
    },
  };
}

/** Run the client; resolves to the process exit status. */
export async function runJoin(config: JoinConfig, env: Env = process.env): Promise<number> {
  const interactive = process.stdin.isTTY === true && !config.json && !config.once;
  return interactive ? runInteractive(config, env) : runPiped(config, env);
}

function connectionOptions(
  config: JoinConfig,
  env: Env,
  reconnect: boolean,
  onEvent: (ev: ClientEvent) => void,
  onClose: (reason: string) => void,
  ask: (q: string) => Promise<boolean>,
): ConstructorParameters<typeof ClientConnection>[0] {
  const nick = defaultNick(config, env);
  const opts: ConstructorParameters<typeof ClientConnection>[0] = {
    host: config.host,
    port: config.port,
    nick,
    username: sanitizeNick(loginName(env)).toLowerCase().slice(0, 10) || "chat",
    realname: "chat join",
    channels: [config.channel],
    reconnect,
    onEvent,
    onClose,
  };
  if (config.password !== undefined) opts.password = config.password;
  if (config.tls) opts.tls = tlsTrust(config, env, ask);
  return opts;
}

async function runPiped(config: JoinConfig, env: Env): Promise<number> {
  let conn: ClientConnection | undefined;
  let readerGone = false;
  // `chat join --json | head -1`: the reader left; leave too, quietly, as Unix tools do.
  const readerLeft = (): void => {
    if (readerGone) return;
    readerGone = true;
    void (conn?.quit() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.stdout.on("error", readerLeft);
  const out = (line: string): void => {
    if (readerGone) return;
    try {
      process.stdout.write(`${line}\n`);
    } catch {
      readerLeft();
    }
  };
  const err = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  let lose: (reason: string) => void = () => {};
  const lost = new Promise<never>((_, reject) => {
    lose = (reason) => reject(new FatalError(reason));
  });
  // Without the catch, a rejection nobody awaits yet would crash the process.
  lost.catch(() => {});
  conn = new ClientConnection(
    connectionOptions(
      config,
      env,
      // Reconnect and catch up as the interactive mode does; lines read while
      // offline are held and their delivery checked at the end.
      true,
      (ev) => {
        const o = pipeOutput(ev, config.json);
        // --once only sends: what others say is not its business, errors are.
        if (o.out !== undefined && !config.once) out(o.out);
        if (o.err !== undefined) err(o.err);
      },
      (reason) => lose(reason),
      // stdin carries the messages, so nobody can answer a trust question; the
      // refusal that follows says how to trust the server (--fp).
      async () => false,
    ),
  );
  await conn.start();
  const onSigint = (): void => {
    void conn.quit().then(() => process.exit(130));
  };
  process.on("SIGINT", onSigint);
  try {
    return await runPipe(
      conn,
      config.channel,
      { lines: readLines(Bun.stdin.stream()), out, err },
      lost,
    );
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function processTty(): Tty {
  return {
    cols: () => process.stdout.columns || 80,
    rows: () => process.stdout.rows || 24,
    write: (s) => {
      process.stdout.write(s);
    },
    colour: process.env.NO_COLOR === undefined || process.env.NO_COLOR === "",
    start(onBytes, onResize) {
      const stdin = process.stdin;
      stdin.setRawMode(true);
      const onData = (b: Buffer): void => onBytes(new Uint8Array(b));
      stdin.on("data", onData);
      stdin.resume();
      process.stdout.on("resize", onResize);
      return () => {
        stdin.off("data", onData);
        process.stdout.off("resize", onResize);
        stdin.setRawMode(false);
        stdin.pause();
      };
    },
  };
}

async function runInteractive(config: JoinConfig, env: Env): Promise<number> {
  const ui = new Interactive(processTty(), {
    notify: config.notify,
    ignore: new IgnoreList(ignoreFile(env)),
  });
  let fatal: string | undefined;
  const conn = new ClientConnection(
    connectionOptions(
      config,
      env,
      true,
      (ev) => ui.show(ev),
      (reason) => {
        fatal = reason;
        ui.end(1);
      },
      (question) => ui.ask(question),
    ),
  );
  ui.attach(conn);
  ui.open();
  const where = config.host.includes(":")
    ? `[${config.host}]:${config.port}`
    : `${config.host}:${config.port}`;
  ui.info(`connecting to ${where}...`);
  const onSignal = (): void => {
    void ui.quit("");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    // The user may give up (Ctrl-C) before the server answers.
    const first = await Promise.race([
      conn.start().then(() => undefined),
      ui.run().then((code) => ({ code })),
    ]);
    if (first !== undefined) return first.code;
    ui.info("type a message and press Enter; /help lists commands; Tab completes nicks");
    const code = await ui.run();
    if (fatal !== undefined) throw new FatalError(fatal);
    return code;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    ui.close();
    conn.close();
  }
}
