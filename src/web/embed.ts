/**
 * A Bun macro (imported `with { type: "macro" }`): runs when the server is
 * bundled or transpiled, reads one file of the page and returns it as a
 * string, TypeScript already turned into JavaScript. So the compiled binary
 * carries the page, and the server's type check never loads the browser code
 * (which has its own tsconfig with the DOM library).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function pageFile(name: string): string {
  const text = readFileSync(join(import.meta.dir, "page", name), "utf8");
  if (!name.endsWith(".ts")) return text;
  return new Bun.Transpiler({ loader: "ts", target: "browser" }).transformSync(text);
}
