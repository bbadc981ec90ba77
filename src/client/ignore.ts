/**
 * /ignore: nicks whose lines are not shown, kept one a line in
 * `$XDG_CONFIG_HOME/chat/ignore` so the list survives restarts. Matching is
 * by casefolded nick. A file that cannot be read is an empty list; one that
 * cannot be written is reported to the caller, which tells the user.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { foldCase } from "../protocol/casemap.ts";

export class IgnoreList {
  private readonly nicks = new Map<string, string>();

  constructor(private readonly path: string | undefined) {
    if (path === undefined) return;
    try {
      for (const line of readFileSync(path, "utf8").split("\n")) {
        const nick = line.trim();
        if (nick !== "" && !nick.startsWith("#")) this.nicks.set(foldCase(nick), nick);
      }
    } catch {
      // No file yet: nobody is ignored.
    }
  }

  has(nick: string): boolean {
    return this.nicks.has(foldCase(nick));
  }

  list(): string[] {
    return [...this.nicks.values()];
  }

  /** Add (true) or remove (false) a nick; returns an error message when the file could not be saved. */
  set(nick: string, ignored: boolean): string | undefined {
    if (ignored) this.nicks.set(foldCase(nick), nick);
    else this.nicks.delete(foldCase(nick));
    if (this.path === undefined) return undefined;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(
        this.path,
        this.list()
          .map((n) => `${n}\n`)
          .join(""),
      );
      return undefined;
    } catch (err) {
      return `could not save ${this.path}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}
