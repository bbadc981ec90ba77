/**
 * The shape docs/ARCHITECTURE.md promises, checked on the source tree: no
 * import cycles in src/ or bench/, no oversized files, and fronts that reach
 * the core only through its API.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const transpiler = new Bun.Transpiler({ loader: "ts" });

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Relative imports of a file (type-only ones included: they are edges too), resolved to paths. */
function importsOf(file: string): string[] {
  const code = readFileSync(file, "utf8").replace(/^#!.*\n/, "");
  const specs = new Set<string>();
  for (const imp of transpiler.scanImports(code)) specs.add(imp.path);
  // scanImports drops `import type`; those still tie modules together.
  for (const m of code.matchAll(/^\s*(?:import|export)\s+type\b[^;]*?from\s+"([^"]+)"/gm)) {
    if (m[1] !== undefined) specs.add(m[1]);
  }
  return [...specs].filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s));
}

function graph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const g = new Map<string, string[]>();
  for (const f of files)
    g.set(
      f,
      importsOf(f).filter((t) => known.has(t)),
    );
  return g;
}

/** Every strongly connected component with more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      for (;;) {
        const w = stack.pop() as string;
        onStack.delete(w);
        comp.push(w);
        if (w === v) break;
      }
      const selfLoop = (g.get(v) ?? []).includes(v);
      if (comp.length > 1 || selfLoop) out.push(comp.map((c) => relative(ROOT, c)).sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("architecture", () => {
  const src = sources(join(ROOT, "src"));
  const bench = sources(join(ROOT, "bench"));

  test("no import cycles in src/ or bench/", () => {
    expect(cycles(graph([...src, ...bench]))).toEqual([]);
  });

  test("fronts reach the core only through its API (src/core/api.ts)", () => {
    const core = join(ROOT, "src", "core");
    const api = join(core, "api.ts");
    const reaches = src
      .filter((f) => f.startsWith(join(ROOT, "src", "fronts")))
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => t.startsWith(core) && t !== api)
          .map((t) => `${relative(ROOT, f)} -> ${relative(ROOT, t)}`),
      );
    expect(reaches).toEqual([]);
  });

  test("the core knows no front and no wire format", () => {
    const core = join(ROOT, "src", "core");
    const reaches = src
      .filter((f) => f.startsWith(core))
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => /src\/(fronts|transport\/tcp|cli)\//.test(t) || t.endsWith("numerics.ts"))
          .map((t) => `${relative(ROOT, f)} -> ${relative(ROOT, t)}`),
      );
    expect(reaches).toEqual([]);
  });

  test("every numeric the IRC front sends has a name in protocol/numerics.ts", () => {
    const literal = src
      .filter((f) => f.includes(`${join("src", "fronts", "irc")}`))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .map((line, i) => ({ line, at: `${relative(ROOT, f)}:${i + 1}` }))
          .filter(({ line }) => /reply\(\s*"\d{3}"/.test(line) || /:\$\{[^}]*\} \d{3} /.test(line))
          .map(({ at }) => at),
      );
    expect(literal).toEqual([]);
  });

  test("the server keeps no state at module level: two cores in one process share nothing", () => {
    const server = ["core", "fronts", "bus", "store", "security", "cluster"].map((d) =>
      join(ROOT, "src", d),
    );
    const found = src
      .filter((f) => server.some((d) => f.startsWith(d)))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .map((line, i) => ({ line, at: `${relative(ROOT, f)}:${i + 1}` }))
          // A WeakMap, a mutable Map/Set or a `let` at top level is a registry in disguise.
          .filter(
            ({ line }) =>
              /^(export )?let /.test(line) ||
              /^(export )?const \w+\s*=\s*new (WeakMap|Map|Set)\b/.test(line) ||
              /^(export )?const \w+\s*:\s*(WeakMap|Map|Set)</.test(line),
          )
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });

  test("no source file in src/ is over 450 lines", () => {
    const big = src
      .map((f) => ({ file: relative(ROOT, f), lines: readFileSync(f, "utf8").split("\n").length }))
      .filter((f) => f.lines > 450);
    expect(big).toEqual([]);
  });
});
