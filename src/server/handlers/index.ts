/**
 * THE command table: verb -> handler and the rules the dispatcher checks once
 * (registration, parameter count, operator). Add a command by adding a row.
 */
import type { CommandSpec } from "../irc-front.ts";
import { join, names, part, topic } from "./channel.ts";
import { lusers, motd } from "./info.ts";
import { notice, privmsg } from "./messaging.ts";
import { cap, nick, pass, ping, pong, quit, user } from "./registration.ts";

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
  MOTD: { handler: motd, minParams: 0 },
  LUSERS: { handler: lusers, minParams: 0 },
};
