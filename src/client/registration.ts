/**
 * Registering with a server: the opening lines (PASS, CAP LS 302, NICK, USER),
 * capability negotiation, the nick fallback while a nick is refused, and what
 * the user chose (nick, away) that a reconnect must restore. Pure: it returns
 * the lines to send, so every rule is tested without a socket.
 */
import { foldCase } from "../protocol/casemap.ts";
import { type IrcMessage, message } from "../protocol/message.ts";
import { ERR, RPL } from "../protocol/numerics.ts";
import { nickOf } from "../protocol/text.ts";
import type { ClientState } from "./state.ts";
import { fallbackNick } from "./text.ts";

/** Capabilities we ask for when the server offers them. */
export const WANTED_CAPS = [
  "server-time",
  "echo-message",
  "batch",
  "message-tags",
  "chathistory",
  "draft/chathistory",
  "multi-prefix",
  "away-notify",
  "draft/read-marker",
  "draft/multiline",
  "soju.im/search",
  // Owned nicks: prove ours with SASL PLAIN; see who owns theirs.
  "sasl",
  "account-tag",
  "extended-join",
  "account-notify",
] as const;

/** Refusals after which the server will not take any nick like ours. */
const MAX_NICK_ATTEMPTS = 8;

const NICK_REFUSALS = new Set<string>([
  ERR.NICKNAMEINUSE,
  ERR.ERRONEUSNICKNAME,
  "437", // ERR_UNAVAILRESOURCE
]);

/** 432, 433 or 437: the nick we asked for cannot be had. */
export function isNickRefusal(command: string): boolean {
  return NICK_REFUSALS.has(command);
}

export interface Credentials {
  nick: string;
  username: string;
  realname: string;
  password?: string;
  /** The secret that proves (or claims) the nick, with SASL PLAIN. */
  secret?: string;
}

/** A refused nick: try this one, or give up with this reason. */
export type NickRetry = { send: IrcMessage } | { giveUp: string };

export class Registration {
  /** The nick the user chose; after a fallback (nick_) we take it back when it frees up. */
  wantNick: string;
  /** The user's /away message, set again after a reconnect; undefined when here. */
  awayText: string | undefined;
  private capLs: string[] = [];
  private nickAttempt = 0;
  /** The server called our nick invalid (not merely taken) while registering. */
  private nickRefused = false;

  constructor(
    private readonly state: ClientState,
    private readonly creds: Credentials,
  ) {
    this.wantNick = creds.nick;
  }

  /** The first lines on a fresh link. */
  begin(): IrcMessage[] {
    this.capLs = [];
    this.nickAttempt = 0;
    const out: IrcMessage[] = [];
    if (this.creds.password !== undefined) out.push(message("PASS", [this.creds.password]));
    out.push(message("CAP", ["LS", "302"]));
    out.push(message("NICK", [this.wantNick]));
    out.push(message("USER", [this.creds.username, "0", "*", this.creds.realname]));
    return out;
  }

  /** Remember what the user asked for that a reconnect must not undo. */
  noteSent(msg: IrcMessage): void {
    if (!this.state.registered) return;
    // A /nick from the user becomes the nick to keep across reconnects.
    if (msg.command === "NICK" && msg.params[0] !== undefined) this.wantNick = msg.params[0];
    // Likewise /away: a server restart must not quietly mark the user as back.
    if (msg.command === "AWAY") {
      const text = msg.params[0] ?? "";
      this.awayText = text === "" ? undefined : text;
    }
  }

  /** CAP <nick> <sub> [*] :<caps> -> what to answer. */
  onCap(msg: IrcMessage): IrcMessage[] {
    const caps = this.state.caps;
    const sub = (msg.params[1] ?? "").toUpperCase();
    const list = (msg.params[msg.params.length - 1] ?? "").split(" ").filter((c) => c !== "");
    const more = msg.params.length >= 4 && msg.params[2] === "*";
    const end = this.state.registered ? [] : [message("CAP", ["END"])];
    switch (sub) {
      case "LS": {
        this.capLs.push(...list.map((c) => c.split("=")[0] ?? c));
        // Values (CAP LS 302) carry limits, e.g. draft/multiline=max-bytes=4096,max-lines=32.
        for (const c of list) {
          const eq = c.indexOf("=");
          if (eq > 0) this.state.capValues.set(c.slice(0, eq), c.slice(eq + 1));
        }
        if (more) return [];
        const want = WANTED_CAPS.filter(
          (c) => this.capLs.includes(c) && (c !== "sasl" || this.creds.secret !== undefined),
        );
        return want.length === 0
          ? [message("CAP", ["END"])]
          : [message("CAP", ["REQ", want.join(" ")])];
      }
      case "ACK":
        for (const c of list) {
          if (c.startsWith("-")) caps.delete(c.slice(1));
          else caps.add(c);
        }
        // Registration waits for the proof: CAP END comes after 903/904.
        if (!this.state.registered && list.includes("sasl") && this.creds.secret !== undefined) {
          return [message("AUTHENTICATE", ["PLAIN"])];
        }
        return end;
      case "NAK":
        return end;
      case "NEW": {
        const want = WANTED_CAPS.filter((c) => list.some((l) => l.split("=")[0] === c));
        return want.length > 0 ? [message("CAP", ["REQ", want.join(" ")])] : [];
      }
      case "DEL":
        for (const c of list) caps.delete(c);
        return [];
    }
    return [];
  }

  /** The server's `AUTHENTICATE +`: our PLAIN payload, in the 400-byte chunks SASL uses. */
  /**
   * SASL's lines (AUTHENTICATE, 903, and the failures, which are not fatal:
   * registration goes on, and a claimed nick falls back to nick_); undefined
   * for any other line.
   */
  onSaslReply(msg: IrcMessage, status: (text: string) => void): IrcMessage[] | undefined {
    switch (msg.command) {
      case "AUTHENTICATE":
        return this.onAuthenticate(msg);
      case RPL.SASLSUCCESS:
        return this.onSaslDone();
      case ERR.SASLFAIL:
      case ERR.SASLTOOLONG:
      case ERR.SASLABORTED:
      case ERR.SASLALREADY:
      case ERR.NICKLOCKED:
        status(`could not prove your nick: ${msg.params[msg.params.length - 1] ?? ""}`);
        // Most often a second machine: the secret made here is not the one that claimed it.
        if (msg.command === ERR.SASLFAIL) {
          status(
            `if ${this.wantNick} is yours, type /secret where it is kept, then start chat join here with --secret SECRET (or CHAT_SECRET)`,
          );
        }
        return this.onSaslDone();
      default:
        return undefined;
    }
  }

  onAuthenticate(msg: IrcMessage): IrcMessage[] {
    const secret = this.creds.secret;
    if (msg.params[0] !== "+" || secret === undefined) return [];
    const payload = Buffer.from(`\0${this.wantNick}\0${secret}`).toString("base64");
    const out: IrcMessage[] = [];
    for (let i = 0; i < payload.length; i += 400) {
      out.push(message("AUTHENTICATE", [payload.slice(i, i + 400)]));
    }
    if (payload.length % 400 === 0) out.push(message("AUTHENTICATE", ["+"]));
    return out;
  }

  /** 902-907 ended the exchange: registration goes on either way. */
  onSaslDone(): IrcMessage[] {
    return this.state.registered ? [] : [message("CAP", ["END"])];
  }

  /** 432/433/437 before we are registered: the next nick to try. */
  onNickRefused(msg: IrcMessage, where: string): NickRetry {
    this.nickAttempt++;
    if (this.nickAttempt > MAX_NICK_ATTEMPTS)
      return { giveUp: `no free nickname like ${this.wantNick} on ${where}` };
    const invalid = msg.command === ERR.ERRONEUSNICKNAME;
    if (invalid) this.nickRefused = true;
    const base = invalid ? "guest" : this.wantNick;
    return { send: message("NICK", [fallbackNick(base, this.nickAttempt)]) };
  }

  /** Once registered the first time: why we are not the nick the user asked for, if we are not. */
  fallbackNotice(where: string): string | undefined {
    // Otherwise the only sign is "alice_ joined #lobby", easy to miss.
    const now = this.state.nick ?? "";
    if (this.nickAttempt === 0 || foldCase(now) === foldCase(this.wantNick)) return undefined;
    return this.nickRefused
      ? `the server refused the nickname ${this.wantNick}; you are ${now} (/nick NAME to change)`
      : `${this.wantNick} is taken on ${where}; you are ${now} until it is free`;
  }

  /** Our nick was taken (often by our own ghost after a blip): reclaim it once it leaves. */
  regainNick(msg: IrcMessage): IrcMessage | undefined {
    if (!this.state.registered || this.state.isMe(this.wantNick)) return undefined;
    if (msg.command !== "QUIT" && msg.command !== "NICK") return undefined;
    if (foldCase(nickOf(msg.source ?? "")) !== foldCase(this.wantNick)) return undefined;
    return message("NICK", [this.wantNick]);
  }

  /** After a reconnect: tell the new session what the user had said about themselves. */
  restore(): IrcMessage[] {
    return this.awayText === undefined ? [] : [message("AWAY", [this.awayText])];
  }
}
