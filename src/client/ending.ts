/**
 * Whether a session ends or goes on when its link closes, and the one line
 * that says why. Pure, so each case reads as a rule rather than a branch
 * buried in the connection.
 */
import type { IrcMessage } from "../protocol/message.ts";
import { ERR } from "../protocol/numerics.ts";

export interface ClosedLink {
  /** The link never got as far as registering (a TLS handshake cut short, for one). */
  beforeRegistering: boolean;
  wasReady: boolean;
  quitting: boolean;
  /** Set by whatever made retrying pointless (bad password, ban, TLS refusal...). */
  fatalReason: string | undefined;
  /** The server's ERROR, a socket error or our own timer: what happened to this link. */
  closeReason: string | undefined;
  everRegistered: boolean;
  reconnect: boolean;
  where: string;
}

export type AfterClose =
  | { kind: "finish"; reason: string }
  /** Try again; `announce` is said once, when a working session was lost. */
  | { kind: "retry"; announce?: string };

export function afterClose(c: ClosedLink): AfterClose {
  if (c.quitting) return { kind: "finish", reason: "quit" };
  if (c.fatalReason !== undefined) return { kind: "finish", reason: c.fatalReason };
  const reason = c.closeReason ?? "the server closed the connection";
  if (!c.everRegistered) {
    const detail = c.beforeRegistering ? "closed during the TLS handshake" : reason;
    return { kind: "finish", reason: `${c.where}: ${detail}` };
  }
  if (!c.reconnect)
    return { kind: "finish", reason: `lost the connection to ${c.where}: ${reason}` };
  if (!c.wasReady) return { kind: "retry" };
  // Said once; the retries themselves stay quiet until one succeeds.
  return { kind: "retry", announce: `disconnected from ${c.where} (${reason}); reconnecting...` };
}

const JOIN_REFUSALS = new Set<string>([
  ERR.NOSUCHCHANNEL,
  ERR.TOOMANYCHANNELS,
  ERR.CHANNELISFULL,
  ERR.INVITEONLYCHAN,
  ERR.BANNEDFROMCHAN,
  ERR.BADCHANNELKEY,
  ERR.BADCHANMASK,
]);

/** The server will not let us into a room; for the room `chat join` was asked for, that ends it. */
export function isJoinRefusal(command: string): boolean {
  return JOIN_REFUSALS.has(command);
}

/** A numeric after which retrying cannot help, in words that say what to do. */
export function refusal(msg: IrcMessage, where: string, gavePassword: boolean): string | undefined {
  switch (msg.command) {
    case ERR.PASSWDMISMATCH:
      return gavePassword
        ? `wrong server password for ${where}`
        : `${where} needs a password: use --password or set CHAT_PASSWORD`;
    case ERR.YOUREBANNEDCREEP:
      return `banned from ${where}: ${msg.params[msg.params.length - 1] ?? ""}`;
  }
  return undefined;
}

/**
 * An ERROR from the server that must end the session rather than reconnect:
 * refused before we ever registered, or our nick's owner (this user,
 * elsewhere) took over, where coming back would take it back, forever.
 */
export function fatalError(
  reason: string,
  where: string,
  nick: string,
  everRegistered: boolean,
): string | undefined {
  if (!everRegistered) return `${where} refused us: ${reason}`;
  if (reason.includes("reconnected elsewhere"))
    return `you connected to ${where} as ${nick} from somewhere else; this session ends here`;
  return undefined;
}
