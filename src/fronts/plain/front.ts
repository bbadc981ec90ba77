/**
 * The human front: what someone on `nc host 6667` or `telnet host 6667` sees.
 *
 * It asks for the server password (when there is one) and a nickname, puts the
 * person in #lobby with the recent lines, and then turns typed text into room
 * messages and slash-commands (commands.ts), and events into readable lines
 * (format.ts). It holds only the `CoreApi` of its connection.
 */

import type { BusEvent } from "../../core/api.ts";
import {
  ChatError,
  type CoreApi,
  type Front,
  type FrontFactory,
  PLAIN_LABELLED_VARIANT,
  PLAIN_VARIANT,
} from "../../core/api.ts";
import { foldCase, sameName } from "../../protocol/casemap.ts";
import { splitText } from "../../protocol/text.ts";
import { claimHint, proveSecret, SECRET_TRIES, secretPrompt } from "./claims.ts";
import { ALIASES, COMMANDS } from "./commands.ts";
import type { CommandArgs, PlainContext } from "./context.ts";
import {
  ACTION,
  bytes,
  clean,
  DEFAULT_PLAIN_ROOM,
  formatEvent,
  isChannel,
  joinedLines,
  NICK_RULES,
  plainError,
  replayLines,
} from "./format.ts";

type Stage = "password" | "nick" | "secret" | "checking" | "chat" | "gone";

/**
 * Text bytes per message. 512 minus CR LF, the sender's `:nick!~user@host`
 * (up to 30 + 10 + 64 here) and ` PRIVMSG #target :` (channel names up to 50)
 * leaves about 350; round down for safety.
 */
export const MESSAGE_BYTES = 340;

export interface PlainOptions {
  /** Clock for "today" in history, injectable for tests. */
  now?: () => number;
}

export class PlainFront implements Front, PlainContext {
  readonly kind = "plain" as const;
  private stage: Stage;
  current: string | undefined;
  private passwordTries = 0;
  /** The server password as typed and accepted, for registration. */
  private password: string | undefined;
  /** Away messages already shown, by casefolded nick, so a /query is not repeated at. */
  private readonly awaySeen = new Map<string, string>();
  /** The claimed nick whose secret is being asked for, and the tries left. */
  private claimed: { owner: string; tries: number } | undefined;

  constructor(
    readonly core: CoreApi,
    private readonly opts: PlainOptions = {},
  ) {
    this.stage = core.server.passwordRequired ? "password" : "nick";
  }

  variant(): number {
    return this.core.channels.length > 1 ? PLAIN_LABELLED_VARIANT : PLAIN_VARIANT;
  }

  start(): void {
    this.say(
      `*** Welcome to chat at ${this.core.server.name}: rooms of people talking, right here in your terminal.`,
      this.stage === "password"
        ? "*** This server has a password. Password?"
        : "*** Pick a nickname and press Enter:",
    );
  }

  line(text: string): void {
    try {
      if (this.stage === "password") this.passwordLine(text.trim());
      else if (this.stage === "nick") this.nickLine(text.trim());
      else if (this.stage === "secret") this.secretLine(text.trim());
      else if (this.stage === "checking") this.say("*** Checking your secret, one moment...");
      else if (this.stage === "chat") this.chatLine(text);
    } catch (err) {
      if (err instanceof ChatError) this.error(err);
      else throw err;
    }
  }

  private passwordLine(typed: string): void {
    if (typed === "") return;
    if (this.core.checkPassword(typed)) {
      this.password = typed;
      this.stage = "nick";
      this.say("*** Password accepted. Pick a nickname and press Enter:");
      return;
    }
    // A few tries: someone typing before the question appeared should not be cut off.
    this.passwordTries++;
    if (this.passwordTries >= this.core.server.limits.plainPasswordTries) {
      this.stage = "gone";
      this.say("*** Wrong password again; closing the connection.");
      this.core.quit("Wrong password");
      return;
    }
    this.say("*** Wrong password. Password?");
  }

  private nickLine(typed: string): void {
    if (typed === "") return;
    // "nick carol" (as on IRC, without the slash) means the nickname carol.
    let nick = /^(?:nick|user)\s+(\S+)$/i.exec(typed)?.[1] ?? typed;
    if (typed.startsWith("/")) {
      // Commands before a nickname: /nick NAME is the obvious one; /quit must work too.
      const [cmd = "", arg = ""] = typed.slice(1).split(/\s+/);
      if (cmd.toLowerCase() === "quit") {
        this.stage = "gone";
        this.core.quit();
        return;
      }
      if (cmd.toLowerCase() !== "nick" || arg === "") {
        this.say("*** First pick a nickname: just type it and press Enter.");
        return;
      }
      nick = arg;
    }
    const owner = this.core.claimedBy(nick);
    if (owner !== undefined) {
      this.claimed = { owner, tries: SECRET_TRIES };
      this.stage = "secret";
      this.say(secretPrompt(owner, SECRET_TRIES));
      return;
    }
    this.enter(nick, false);
  }

  /** A line typed at a claimed nick's prompt: its secret, or /nick to pick another. */
  private secretLine(typed: string): void {
    const claimed = this.claimed;
    if (typed === "" || claimed === undefined) return;
    if (/^\/(nick|quit)\b/i.test(typed) || /^nick\s/i.test(typed)) {
      this.stage = "nick";
      this.claimed = undefined;
      this.nickLine(typed);
      return;
    }
    this.stage = "checking";
    void proveSecret(this.core, claimed.owner, typed, this.password).then((r) => {
      if (this.stage !== "checking") return;
      if (r.ok) {
        this.claimed = undefined;
        this.stage = "nick";
        this.enter(claimed.owner, true);
        return;
      }
      claimed.tries--;
      if (r.final || claimed.tries <= 0) {
        this.claimed = undefined;
        this.stage = "nick";
        const why = r.final ? clean(r.message) : "That was the last try";
        this.say(`*** ${why}. Pick another nickname:`);
        return;
      }
      this.stage = "secret";
      this.say(secretPrompt(claimed.owner, claimed.tries));
    });
  }

  /** Take `nick` and register; `owned` when its secret was just proved. */
  private enter(nick: string, owned: boolean): void {
    try {
      this.core.setNick(nick);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      // The owner's own stale session holds it: registration hands it over.
      if (!owned || err.code !== "nicknameInUse") {
        this.say(`*** ${this.nickProblem(nick, err)} Nickname:`);
        return;
      }
      this.core.setNick(this.core.suggestNick(nick));
    }
    this.core.setUser(nick, nick);
    if (this.core.register(this.password) !== "registered") return;
    this.stage = "chat";
    const mark = owned ? " ✓" : "";
    this.say(`*** Hello ${this.core.nick ?? nick}${mark}! Type /help for commands.`);
    if (!owned) this.say(claimHint(this.core.nick ?? nick));
    this.joinRoom(DEFAULT_PLAIN_ROOM);
  }

  private chatLine(text: string): void {
    if (text.trim() === "") return;
    if (text.startsWith("//")) {
      this.toRoom(text.slice(1));
      return;
    }
    if (!text.startsWith("/")) {
      this.toRoom(text);
      return;
    }
    const m = /^\/(\S*)\s*(.*)$/s.exec(text);
    const name = (m?.[1] ?? "").toLowerCase();
    const rest = (m?.[2] ?? "").trim();
    const first = rest === "" ? "" : (rest.split(/\s+/)[0] ?? "");
    const args: CommandArgs = { rest, first, afterFirst: rest.slice(first.length).trim() };
    const command = COMMANDS.get(ALIASES.get(name) ?? name);
    if (command === undefined) {
      this.say(`*** Unknown command /${clean(name)}. Type /help for the list.`);
      return;
    }
    command(this, args);
  }

  // ---- PlainContext, for the commands

  get currentRoom(): string | undefined {
    return this.current !== undefined && isChannel(this.current) ? this.current : undefined;
  }

  leave(): void {
    this.stage = "gone";
  }

  nickProblem(nick: string, err: ChatError): string {
    if (err.code === "nicknameInUse") {
      return `${clean(nick)} is taken. Try ${this.core.suggestNick(nick)}?`;
    }
    if (err.code === "nickClaimed") {
      return `${clean(nick)} is claimed by its owner. Try ${this.core.suggestNick(nick)}?`;
    }
    if (err.code === "erroneusNickname" || err.code === "noNicknameGiven") {
      return `${clean(nick)} can't be a nickname: ${NICK_RULES}.`;
    }
    return clean(plainError(err));
  }

  toRoom(text: string): void {
    const target = this.current;
    if (target === undefined) {
      this.say("*** You are not in a room. /join one, e.g. /join lobby");
      return;
    }
    const rooms = this.core.channels;
    if (isChannel(target) && !rooms.some((c) => sameName(c, target))) {
      // Kicked, most likely: the shared event line could not say it was us.
      this.current = rooms[0];
      this.say(
        `*** You are no longer in ${clean(target)}; that line was not sent. /join ${clean(target)} to go back${this.current === undefined ? "." : `, or type again to talk in ${clean(this.current)}.`}`,
      );
      return;
    }
    const away = this.sendText(target, text);
    if (!isChannel(target)) this.sayReceipt(target, text, away);
  }

  sayReceipt(to: string, text: string, away: string | undefined): void {
    const action = ACTION.exec(text);
    const body = action !== null ? `* ${this.core.nick ?? ""} ${action[1] ?? ""}` : text;
    const lines = [`-> *${clean(to)}* ${clean(body)}`];
    const key = foldCase(to);
    if (away !== undefined && this.awaySeen.get(key) !== away) {
      lines.push(`*** ${clean(to)} is away: ${clean(away)}`);
    }
    if (away === undefined) this.awaySeen.delete(key);
    else this.awaySeen.set(key, away);
    this.say(...lines);
  }

  /**
   * nc has no limit on a typed line, IRC has 512 bytes: long text goes out as
   * several messages, cut at spaces where possible, so IRC users get all of it.
   */
  sendText(target: string, text: string): string | undefined {
    const action = ACTION.exec(text);
    const pieces =
      action === null
        ? splitText(text, MESSAGE_BYTES)
        : splitText(action[1] ?? "", MESSAGE_BYTES - 9).map((p) => `\x01ACTION ${p}\x01`);
    let away: string | undefined;
    let offline = false;
    for (const piece of pieces) {
      const r = this.core.send("PRIVMSG", target, piece);
      away = r.away;
      offline ||= r.offline === true;
    }
    if (offline) {
      this.say(
        `*** ${clean(target)} is offline; your message is kept and delivered when they next log in.`,
      );
    }
    return away;
  }

  joinRoom(channel: string, key?: string): void {
    const already = this.core.channels.find((c) => sameName(c, channel));
    if (already !== undefined) {
      this.current = already;
      this.say(`*** You now talk in ${clean(already)}.`);
      return;
    }
    const joined = this.core.join(channel, key);
    if (joined === undefined) return;
    this.current = joined.room.channel;
    const now = this.opts.now?.() ?? Date.now();
    this.say(
      ...(joined.room.note === undefined ? [] : [`*** ${clean(joined.room.note)}`]),
      ...joinedLines(joined.room),
      ...replayLines(joined.room.channel, joined.replay ?? [], now),
    );
  }

  afterLeaving(room: string): void {
    if (this.current !== undefined && sameName(this.current, room)) {
      this.current = this.core.channels.find((c) => !sameName(c, room));
      this.say(
        this.current === undefined
          ? `*** You left ${clean(room)} and are in no room now. /join one.`
          : `*** You left ${clean(room)}; you now talk in ${clean(this.current)}.`,
      );
    }
  }

  // ---- Front, for the core

  render(event: BusEvent): Uint8Array | null {
    const line = formatEvent(event, this.variant() === PLAIN_LABELLED_VARIANT);
    return line === null ? null : bytes(line);
  }

  /** A room this person is in got a new name (RENAME): keep talking in it under that name. */
  renamed(from: string, to: string, reason: string): void {
    if (this.current !== undefined && sameName(this.current, from)) this.current = to;
    const why = reason === "" ? "" : ` (${clean(reason)})`;
    this.say(`*** ${clean(from)} is now called ${clean(to)}${why}.`);
  }

  overlong(): void {
    this.notice("That line was too long and was not sent.");
  }

  notice(text: string): void {
    this.say(`*** ${clean(text)}`);
  }

  error(err: ChatError): void {
    this.say(`*** ${clean(plainError(err))}`);
  }

  ping(): null {
    // A person at nc cannot answer a PING; TCP keepalive finds dead peers instead.
    return null;
  }

  farewell(reason: string): Uint8Array {
    this.stage = "gone";
    // The user's own /quit needs no explanation; a timeout or a flood does.
    return bytes(reason.startsWith("Quit:") ? "*** Bye!" : `*** Disconnected: ${clean(reason)}`);
  }

  say(...lines: string[]): void {
    this.core.write(bytes(...lines));
  }
}

export function plainFront(opts: PlainOptions = {}): FrontFactory {
  return (core) => new PlainFront(core, opts);
}
