/**
 * The page, embedded in the binary: its TypeScript modules and stylesheet are
 * imported as text (so `bun build --compile` carries them), transpiled once at
 * start, and served from memory. Nothing is fetched from anywhere else.
 */
import * as app from "./page/app.ts" with { type: "text" };
import * as commands from "./page/commands.ts" with { type: "text" };
import * as irc from "./page/irc.ts" with { type: "text" };
import * as link from "./page/link.ts" with { type: "text" };
import * as session from "./page/session.ts" with { type: "text" };
import * as state from "./page/state.ts" with { type: "text" };
import css from "./page/style.css" with { type: "text" };
import * as view from "./page/view.ts" with { type: "text" };

export interface Asset {
  readonly body: string;
  readonly type: string;
}

/** A text import of a .ts file is its source; TypeScript types it as the module. */
function source(mod: unknown): string {
  return (mod as { default: string }).default;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>chat</title>
<link rel="stylesheet" href="/app/style.css">
<script type="module" src="/app/app.ts"></script>
</head>
<body>
<noscript>This chat needs JavaScript.</noscript>
</body>
</html>
`;

const JS = "text/javascript; charset=utf-8";

/** Every path the page is served from, with its body and type. */
export function pageAssets(): ReadonlyMap<string, Asset> {
  const t = new Bun.Transpiler({ loader: "ts", target: "browser" });
  const modules: Record<string, unknown> = { app, commands, irc, link, session, state, view };
  const out = new Map<string, Asset>();
  out.set("/", { body: PAGE, type: "text/html; charset=utf-8" });
  out.set("/app/style.css", { body: css, type: "text/css; charset=utf-8" });
  for (const [name, mod] of Object.entries(modules)) {
    out.set(`/app/${name}.ts`, { body: t.transformSync(source(mod)), type: JS });
  }
  return out;
}
