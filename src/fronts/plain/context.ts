/**
 * What a plain-text slash-command gets: the core and the front's conversation
 * state (where typed text goes) and ways to speak to the person.
 */
import type { ChatError, CoreApi } from "../../core/api.ts";

export interface CommandArgs {
  /** Everything after the command word, trimmed. */
  rest: string;
  /** The first word of `rest`. */
  first: string;
  /** `rest` without its first word. */
  afterFirst: string;
}

export interface PlainContext {
  readonly core: CoreApi;
  /** Where typed text goes: a room, a nick (after /query), or nowhere. */
  current: string | undefined;
  /** The current target when it is a room (not a /query nick). */
  readonly currentRoom: string | undefined;
  say(...lines: string[]): void;
  /** Join (or switch to) a room and say so. */
  joinRoom(channel: string, key?: string): void;
  /** After the person left `room`: move to another one and say where. */
  afterLeaving(room: string): void;
  /** Text to a room or a nick, cut into IRC-sized messages; the nick's away text. */
  sendText(target: string, text: string): string | undefined;
  /** `-> *bob* hi`, plus bob's away message the first time it is seen. */
  sayReceipt(to: string, text: string, away: string | undefined): void;
  /** A typed line to the current target. */
  toRoom(text: string): void;
  /** Why a nick was refused, as a sentence with a suggestion. */
  nickProblem(nick: string, err: ChatError): string;
  /** The person is leaving: nothing more is read. */
  leave(): void;
}
