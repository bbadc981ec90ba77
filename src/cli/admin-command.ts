/**
 * The citty definition of `chat admin`. The work is imported only when the
 * command runs.
 */
import { defineCommand } from "citty";
import { adminArgs, toAdminConfig } from "./admin-config.ts";
import type { RawArgs } from "./options.ts";

export default defineCommand({
  meta: {
    name: "admin",
    description:
      "Look after a server: backup FILE, export --room NAME, and (while it runs) rooms, users, kick ROOM NICK, ban PATTERN, unban PATTERN",
  },
  args: adminArgs,
  async run({ args }) {
    const config = toAdminConfig(args as RawArgs);
    const { runAdmin } = await import("./run-admin.ts");
    await runAdmin(config);
  },
});
