/**
 * The page's slash commands, one table like `chat join`'s: each turns what was
 * typed into lines to send (or a local action). `/help` is made from it.
 */
import { isChannel } from "./irc.ts";

export interface CommandContext {
  /** The conversation the command was typed in ("*server" for the server tab). */
  readonly here: string;
  send(command: string, params: string[]): void;
  /** Send a message (or /me action) and open its conversation. */
  say(target: string, text: string, action?: boolean): void;
  join(room: string): void;
  open(name: string): void;
  info(text: string): void;
}

interface Command {
  readonly usage: string;
  readonly help: string;
  run(ctx: CommandContext, rest: string): void;
}

function inRoom(ctx: CommandContext): boolean {
  if (ctx.here === "*server") {
    ctx.info("Open a room or a conversation first (/join #room or /msg nick).");
    return false;
  }
  return true;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  join: {
    usage: "/join #room",
    help: "join a room (made if it does not exist)",
    run(ctx, rest) {
      const room = rest.split(" ")[0] ?? "";
      if (room === "") return ctx.info("Usage: /join #room");
      ctx.join(isChannel(room) ? room : `#${room}`);
    },
  },
  part: {
    usage: "/part [reason]",
    help: "leave this room",
    run(ctx, rest) {
      if (inRoom(ctx) && isChannel(ctx.here))
        ctx.send("PART", rest ? [ctx.here, rest] : [ctx.here]);
    },
  },
  me: {
    usage: "/me action",
    help: "say what you are doing",
    run(ctx, rest) {
      if (inRoom(ctx)) ctx.say(ctx.here, rest, true);
    },
  },
  msg: {
    usage: "/msg nick text",
    help: "a private message (opens a conversation)",
    run(ctx, rest) {
      const sp = rest.indexOf(" ");
      const nick = sp === -1 ? rest : rest.slice(0, sp);
      if (nick === "") return ctx.info("Usage: /msg nick text");
      if (sp === -1) ctx.open(nick);
      else ctx.say(nick, rest.slice(sp + 1));
    },
  },
  nick: {
    usage: "/nick newname",
    help: "change your nick",
    run(ctx, rest) {
      if (rest === "") return ctx.info("Usage: /nick newname");
      ctx.send("NICK", [rest.split(" ")[0] as string]);
    },
  },
  topic: {
    usage: "/topic [text]",
    help: "show or set this room's topic",
    run(ctx, rest) {
      if (inRoom(ctx)) ctx.send("TOPIC", rest === "" ? [ctx.here] : [ctx.here, rest]);
    },
  },
  away: {
    usage: "/away [message]",
    help: "mark yourself away (no message: back)",
    run(ctx, rest) {
      ctx.send("AWAY", rest === "" ? [] : [rest]);
    },
  },
  help: {
    usage: "/help",
    help: "this list",
    run(ctx) {
      for (const c of Object.values(COMMANDS)) ctx.info(`${c.usage.padEnd(18)} ${c.help}`);
    },
  },
};

/** Run a typed line that starts with "/"; "//text" sends "/text" as a message. */
export function runCommand(ctx: CommandContext, typed: string): void {
  if (typed.startsWith("//")) {
    if (inRoom(ctx)) ctx.say(ctx.here, typed.slice(1));
    return;
  }
  const sp = typed.indexOf(" ");
  const name = (sp === -1 ? typed.slice(1) : typed.slice(1, sp)).toLowerCase();
  const rest = sp === -1 ? "" : typed.slice(sp + 1).trim();
  const cmd = COMMANDS[name];
  if (cmd === undefined) ctx.info(`Unknown command /${name}; /help lists them.`);
  else cmd.run(ctx, rest);
}
