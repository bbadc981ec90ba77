/**
 * The citty definition of `chat serve`. The server code is imported only when
 * the command runs, so `chat join` and `--help` never load it.
 */
import { defineCommand } from "citty";
import { collectRepeated, type RawArgs } from "./options.ts";
import { serveArgs, toServeConfig } from "./serve-config.ts";

export default defineCommand({
  meta: {
    name: "serve",
    description: "Run a chat server that IRC clients, `chat join` and nc/telnet can use",
  },
  args: serveArgs,
  async run({ args, rawArgs }) {
    // citty keeps only the last --oper; every one given counts.
    const config = toServeConfig(
      {
        ...(args as RawArgs),
        oper: collectRepeated(rawArgs, "oper"),
        "web-origin": collectRepeated(rawArgs, "web-origin"),
      },
      process.env,
    );
    const { runServe } = await import("./run-serve.ts");
    // citty runs cleanup as soon as run returns, so stay here until shutdown.
    await runServe(config);
  },
});
