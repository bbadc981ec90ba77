/**
 * The page, embedded in the binary: its modules (transpiled) and stylesheet are
 * inlined as strings by the `pageFile` macro when the server is bundled, and
 * served from memory. Nothing is fetched from anywhere else.
 */
import { pageFile } from "./embed.ts" with { type: "macro" };

export interface Asset {
  readonly body: string;
  readonly type: string;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>chat</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/app/style.css">
<script type="module" src="/app/app.ts"></script>
</head>
<body>
<noscript>This chat needs JavaScript.</noscript>
</body>
</html>
`;

const JS = "text/javascript; charset=utf-8";

/** A speech bubble, so the tab is recognisable (and the browser's favicon request is no 404). */
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path fill="#2457c5" d="M2 2h12a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1H7l-4 3v-3H2a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1z"/></svg>`;

/** Every path the page is served from, with its body and type. */
export function pageAssets(): ReadonlyMap<string, Asset> {
  // Each call is a macro: the argument must be a literal for the bundler to inline it.
  const modules: Record<string, string> = {
    app: pageFile("app.ts"),
    commands: pageFile("commands.ts"),
    irc: pageFile("irc.ts"),
    link: pageFile("link.ts"),
    sasl: pageFile("sasl.ts"),
    session: pageFile("session.ts"),
    state: pageFile("state.ts"),
    view: pageFile("view.ts"),
  };
  const out = new Map<string, Asset>();
  out.set("/", { body: PAGE, type: "text/html; charset=utf-8" });
  out.set("/favicon.svg", { body: ICON, type: "image/svg+xml" });
  out.set("/app/style.css", { body: pageFile("style.css"), type: "text/css; charset=utf-8" });
  for (const [name, body] of Object.entries(modules))
    out.set(`/app/${name}.ts`, { body, type: JS });
  return out;
}
