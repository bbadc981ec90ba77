/**
 * The citty definition of `chat serve`. The server code is imported only when
 * the command runs, so `chat join` and `--help` never load it.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { defineCommand } from "citty";
import { type LoadedConfig, loadServeConfig } from "./load-config.ts";
import type { RawArgs } from "./options.ts";
import { serveArgs } from "./serve-config.ts";

export default defineCommand({
  meta: {
    name: "serve",
    description: "Run a chat server that IRC clients, `chat join` and nc/telnet can use",
  },
  args: serveArgs,
  async run({ args, rawArgs }) {
    // Flags > CHAT_* > --config file > defaults; SIGHUP runs the same load again.
    const load = (): LoadedConfig =>
      loadServeConfig(
        {
          rawArgs,
          parsed: args as RawArgs,
          env: process.env,
          readFile: (path) => readFileSync(path, "utf8"),
        },
        serveArgs,
      );
    const loaded = load();
    if (loaded.args["print-config"] === true) {
      const { derivedDefaults, formatConfig } = await import("./print-config.ts");
      const derived = derivedDefaults(loaded.config, hostname(), process.env);
      process.stdout.write(formatConfig(loaded, serveArgs, derived));
      return;
    }
    const { runServe } = await import("./run-serve.ts");
    // citty runs cleanup as soon as run returns, so stay here until shutdown.
    await runServe(loaded.config, () => load().config);
  },
});
