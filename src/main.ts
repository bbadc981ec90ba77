#!/usr/bin/env bun
/**
 * `chat`: one executable that is both the server (`chat serve`) and the client
 * (`chat join`). citty parses; this file adds what citty lacks: unknown flags are
 * refused, and every usage mistake is one line on stderr with exit status 2.
 */
import "./cli/plain-output.ts";
import { type ArgsDef, type CommandDef, defineCommand, runCommand, showUsage } from "citty";
import admin from "./cli/admin-command.ts";
import { adminArgs } from "./cli/admin-config.ts";
import join from "./cli/join-command.ts";
import { joinArgs } from "./cli/join-config.ts";
import { checkRawArgs, type FlagSpec } from "./cli/options.ts";
import serve from "./cli/serve-command.ts";
import { serveArgs } from "./cli/serve-config.ts";
import { FatalError, UsageError } from "./cli/usage-error.ts";
import { VERSION, VERSION_LINE } from "./version.ts";

const subCommands: Record<string, { cmd: CommandDef<ArgsDef>; args: ArgsDef }> = {
  serve: { cmd: serve as CommandDef<ArgsDef>, args: serveArgs },
  join: { cmd: join as CommandDef<ArgsDef>, args: joinArgs },
  admin: { cmd: admin as CommandDef<ArgsDef>, args: adminArgs },
};

const main = defineCommand({
  meta: {
    name: "chat",
    version: VERSION,
    description: "A chat server and client in one file; speaks IRC, and plain text to nc/telnet",
  },
  subCommands: { serve, join, admin },
});

function fail(message: string, code: number, hint?: string): never {
  process.stderr.write(`chat: ${message}${hint ? ` (${hint})` : ""}\n`);
  process.exit(code);
}

async function run(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    await showUsage(main);
    process.exit(2);
  }
  if (first === "--version" || first === "-v") {
    process.stdout.write(`${VERSION_LINE}\n`);
    return;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    await showUsage(main);
    return;
  }
  const sub = subCommands[first];
  if (sub === undefined) {
    fail(
      `unknown command ${JSON.stringify(first)}`,
      2,
      "try: chat serve, chat join HOST:PORT, chat --help",
    );
  }
  if (rest.includes("--version")) {
    process.stdout.write(`${VERSION_LINE}\n`);
    return;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    await showUsage(sub.cmd, main);
    return;
  }
  const problem = checkRawArgs(rest, sub.args as FlagSpec);
  if (problem !== undefined) fail(problem, 2, `see: chat ${first} --help`);
  try {
    await runCommand(sub.cmd, { rawArgs: rest });
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, 2, `see: chat ${first} --help`);
    if (err instanceof FatalError) fail(err.message, err.exitCode);
    if (err instanceof Error && err.name === "CLIError")
      fail(err.message, 2, `see: chat ${first} --help`);
    throw err;
  }
}

await run(process.argv.slice(2));
