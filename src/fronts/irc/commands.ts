/**
 * THE command table: verb -> handler and the rules the dispatcher checks once
 * (registration, parameter count, operator). Add a command by adding a row.
 */
import type { CommandSpec } from "./context.ts";
import { batch } from "./handlers/batch.ts";
import { invite, join, kick, list, names, part, topic } from "./handlers/channel.ts";
import { help } from "./handlers/help.ts";
import { chathistory } from "./handlers/history.ts";
import { admin, info, links, lusers, motd, time, version } from "./handlers/info.ts";
import { notice, privmsg, tagmsg } from "./handlers/messaging.ts";
import { mode } from "./handlers/mode.ts";
import { monitor } from "./handlers/monitor.ts";
import { dline, kill, kline, oper, undline, unkline, wallops } from "./handlers/oper.ts";
import { markread } from "./handlers/read-marker.ts";
import { redact } from "./handlers/redact.ts";
import { cap, nick, pass, ping, pong, quit, user } from "./handlers/registration.ts";
import { rename } from "./handlers/rename.ts";
import { search } from "./handlers/search.ts";
import { setname } from "./handlers/setname.ts";
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
  // soju.im/search syntax over the FTS5 index of history (handlers/search.ts).
  SEARCH: { handler: search, minParams: 0 },
  // Client batches: draft/multiline only (handlers/batch.ts).
  BATCH: { handler: batch, minParams: 1 },
  // draft/read-marker: missing parameters get the spec's FAIL, so no minimum here.
  MARKREAD: { handler: markread, minParams: 0 },
  LIST: { handler: list, minParams: 0 },
  INVITE: { handler: invite, minParams: 0 },
  KICK: { handler: kick, minParams: 2 },
  MODE: { handler: mode, minParams: 1 },
  AWAY: { handler: away, minParams: 0 },
  WHO: { handler: who, minParams: 0 },
  WHOIS: { handler: whois, minParams: 1 },
  WHOWAS: { handler: whowas, minParams: 1 },
  USERHOST: { handler: userhost, minParams: 1 },
  ISON: { handler: ison, minParams: 1 },
  SETNAME: { handler: setname, minParams: 1 },
  REDACT: { handler: redact, minParams: 2 },
  RENAME: { handler: rename, minParams: 2 },
  // Operator family (handlers/oper.ts): OPER verifies off the event loop.
  OPER: { handler: oper, minParams: 2 },
  KILL: { handler: kill, minParams: 1, operOnly: true },
  KLINE: { handler: kline, minParams: 0, operOnly: true },
  UNKLINE: { handler: unkline, minParams: 1, operOnly: true },
  DLINE: { handler: dline, minParams: 0, operOnly: true },
  UNDLINE: { handler: undline, minParams: 1, operOnly: true },
  WALLOPS: { handler: wallops, minParams: 1, operOnly: true },
  // Issue 12: presence, help and server information.
  MONITOR: { handler: monitor, minParams: 1 },
  HELP: { handler: help, minParams: 0 },
  HELPOP: { handler: help, minParams: 0 },
  LINKS: { handler: links, minParams: 0 },
  INFO: { handler: info, minParams: 0 },
  ADMIN: { handler: admin, minParams: 0 },
};
