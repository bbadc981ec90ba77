/**
 * What a command handler gets: the core (its connection's CoreApi) and the
 * IRC front's reply surface. Handlers never write to a socket.
 */
import type { ChatError, CoreApi } from "../../core/api.ts";
import type { IrcMessage } from "../../protocol/message.ts";
import type { MultilineBatches } from "./multiline.ts";

export interface IrcReplies {
  /** CAP negotiation in progress: registration waits for CAP END. */
  capNegotiating: boolean;
  capVersion: number;
  /** PASS, kept until registration checks it. */
  password: string | undefined;
  /** `:server NNN nick params...` */
  reply(numeric: string, ...params: string[]): void;
  /** One already-safe line, no CR LF. */
  raw(line: string): void;
  /** `:source COMMAND params... :last` (source: the server by default). */
  msg(command: string, params: string[], source?: string): void;
  notice(text: string): void;
  error(err: ChatError): void;
  /** This connection's open draft/multiline batch. */
  readonly multiline: MultilineBatches;
}

export interface CommandContext {
  core: CoreApi;
  irc: IrcReplies;
}

export interface CommandSpec {
  /** Syntax is documented at each handler. */
  /** A handler that must wait returns a promise: the client's later lines wait for it. */
  handler: (ctx: CommandContext, msg: IrcMessage) => void | Promise<void>;
  /** Fewer parameters than this: ERR_NEEDMOREPARAMS, checked once by the dispatcher. */
  minParams: number;
  /** Allowed before registration completes (otherwise ERR_NOTREGISTERED). */
  preRegistration?: boolean;
  /** Only IRC operators (otherwise ERR_NOPRIVILEGES). */
  operOnly?: boolean;
}
