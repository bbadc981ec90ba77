/**
 * THE command table: verb -> handler and the rules the dispatcher checks once
 * (registration, parameter count, operator). Add a command by adding a row.
 */
import type { CommandSpec } from "./context.ts";
import { authenticate, register, release, unclaim } from "./handlers/accounts.ts";
import { invite, join, kick, list, names, part, topic } from "./handlers/channel.ts";
import { chathistory } from "./handlers/history.ts";
import { lusers, motd, time, version } from "./handlers/info.ts";
import { notice, privmsg, tagmsg } from "./handlers/messaging.ts";
import { mode } from "./handlers/mode.ts";
import { dline, kill, kline, oper, undline, unkline } from "./handlers/oper.ts";
import { cap, nick, pass, ping, pong, quit, user } from "./handlers/registration.ts";
import { away, ison, userhost, who, whois, whowas } from "./handlers/user.ts";

export const COMMANDS: Record<string, CommandSpec> = {
  CAP: { handler: cap, minParams: 1, preRegistration: true },
  PASS: { handler: pass, minParams: 1, preRegistration: true },
  NICK: { handler: nick, minParams: 1, preRegistration: true },
  USER: { handler: user, minParams: 4, preRegistration: true },
  PING: { handler: ping, minParams: 1, preRegistration: true },
  PONG: { handler: pong, minParams: 0, preRegistration: true },
  QUIT: { handler: quit, minParams: 0, preRegistration: true },
  JOIN: { handler: join, minParams: 1 },
  PART: { handler: part, minParams: 1 },
  TOPIC: { handler: topic, minParams: 1 },
  NAMES: { handler: names, minParams: 0 },
  PRIVMSG: { handler: privmsg, minParams: 0 },
  NOTICE: { handler: notice, minParams: 0 },
  TAGMSG: { handler: tagmsg, minParams: 1 },
  MOTD: { handler: motd, minParams: 0 },
  LUSERS: { handler: lusers, minParams: 0 },
  VERSION: { handler: version, minParams: 0 },
  TIME: { handler: time, minParams: 0 },
  CHATHISTORY: { handler: chathistory, minParams: 1 },
  LIST: { handler: list, minParams: 0 },
  INVITE: { handler: invite, minParams: 2 },
  KICK: { handler: kick, minParams: 2 },
  MODE: { handler: mode, minParams: 1 },
  AWAY: { handler: away, minParams: 0 },
  WHO: { handler: who, minParams: 0 },
  WHOIS: { handler: whois, minParams: 1 },
  WHOWAS: { handler: whowas, minParams: 1 },
  USERHOST: { handler: userhost, minParams: 1 },
  ISON: { handler: ison, minParams: 1 },
  // Operator family (handlers/oper.ts): OPER verifies off the event loop.
  OPER: { handler: oper, minParams: 2 },
  KILL: { handler: kill, minParams: 1, operOnly: true },
  KLINE: { handler: kline, minParams: 0, operOnly: true },
  UNKLINE: { handler: unkline, minParams: 1, operOnly: true },
  DLINE: { handler: dline, minParams: 0, operOnly: true },
  UNDLINE: { handler: undline, minParams: 1, operOnly: true },
  // Owned nicks (handlers/accounts.ts): SASL and REGISTER may come before registration.
  AUTHENTICATE: { handler: authenticate, minParams: 1, preRegistration: true },
  REGISTER: { handler: register, minParams: 3, preRegistration: true },
  UNCLAIM: { handler: unclaim, minParams: 0 },
  RELEASE: { handler: release, minParams: 1, operOnly: true },
};
