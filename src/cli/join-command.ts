/**
 * The citty definition of `chat join`. The client code is imported only when
 * the command runs, so `chat serve` and `--help` never load it.
 */
import { defineCommand } from "citty";
import { joinArgs, toJoinConfig } from "./join-config.ts";
import type { RawArgs } from "./options.ts";

export default defineCommand({
  meta: {
    name: "join",
    description:
      "Join a chat server: an interactive client, or pipe mode when stdin is not a terminal",
  },
  args: joinArgs,
  async run({ args }) {
    const config = toJoinConfig(args as RawArgs, process.env);
    const { runJoin } = await import("./run-join.ts");
    const code = await runJoin(config);
    process.exitCode = code;
  },
});
