/**
 * The input line: text, cursor and history, edited one key at a time. Pure:
 * the terminal layer feeds keys in and draws `render()` out.
 */
import type { Key } from "./keys.ts";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

export type EditorResult =
  | { kind: "none" }
  | { kind: "submit"; line: string }
  | { kind: "complete" }
  | { kind: "interrupt" }
  | { kind: "eof" }
  | { kind: "redraw" }
  /** A pasted block of several lines (what was typed before it leads the first). */
  | { kind: "paste"; lines: string[] };

export class LineEditor {
  /** The line as grapheme clusters, so one keypress deletes one visible character. */
  private chars: string[] = [];
  cursor = 0;
  private readonly history: string[] = [];
  /** Position while browsing history; history.length means "the line being typed". */
  private histPos = 0;
  private draft = "";

  constructor(private readonly maxHistory = 500) {}

  get text(): string {
    return this.chars.join("");
  }

  /** Text before the cursor (what completion looks at). */
  get beforeCursor(): string {
    return this.chars.slice(0, this.cursor).join("");
  }

  set(text: string, cursor?: number): void {
    this.chars = graphemes(text);
    this.cursor = Math.min(cursor ?? this.chars.length, this.chars.length);
  }

  insert(text: string): void {
    const g = graphemes(text.replace(/[\x00-\x1f\x7f]/g, ""));
    if (g.length === 0) return;
    // Re-segment around the join so a combining mark merges with its base.
    const before = this.chars.slice(0, this.cursor).join("") + g.join("");
    const after = this.chars.slice(this.cursor).join("");
    const left = graphemes(before);
    this.chars = [...left, ...graphemes(after)];
    this.cursor = left.length;
  }

  /** Replace the `count` graphemes before the cursor (tab completion). */
  replaceBeforeCursor(count: number, text: string): void {
    const start = Math.max(0, this.cursor - count);
    const after = this.chars.slice(this.cursor);
    this.chars = this.chars.slice(0, start);
    this.cursor = start;
    this.insert(text);
    const pos = this.cursor;
    this.chars = [...this.chars, ...after];
    this.cursor = pos;
  }

  private wordStart(from: number): number {
    let i = from;
    while (i > 0 && this.chars[i - 1] === " ") i--;
    while (i > 0 && this.chars[i - 1] !== " ") i--;
    return i;
  }

  private wordEnd(from: number): number {
    let i = from;
    const n = this.chars.length;
    while (i < n && this.chars[i] === " ") i++;
    while (i < n && this.chars[i] !== " ") i++;
    return i;
  }

  /** Clears the line and returns it, remembered in history unless blank or a repeat. */
  private takeLine(): string {
    const line = this.text;
    if (line.trim() !== "" && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > this.maxHistory) this.history.shift();
    }
    this.histPos = this.history.length;
    this.draft = "";
    this.chars = [];
    this.cursor = 0;
    return line;
  }

  feed(key: Key): EditorResult {
    switch (key.name) {
      case "text":
        this.insert(key.text);
        return { kind: "none" };
      case "enter":
        return { kind: "submit", line: this.takeLine() };
      case "backspace":
        if (this.cursor > 0) {
          this.chars.splice(this.cursor - 1, 1);
          this.cursor--;
        }
        return { kind: "none" };
      case "delete":
        this.chars.splice(this.cursor, 1);
        return { kind: "none" };
      case "ctrl-d":
        if (this.chars.length === 0) return { kind: "eof" };
        this.chars.splice(this.cursor, 1);
        return { kind: "none" };
      case "left":
        this.cursor = Math.max(0, this.cursor - 1);
        return { kind: "none" };
      case "right":
        this.cursor = Math.min(this.chars.length, this.cursor + 1);
        return { kind: "none" };
      case "word-left":
        this.cursor = this.wordStart(this.cursor);
        return { kind: "none" };
      case "word-right":
        this.cursor = this.wordEnd(this.cursor);
        return { kind: "none" };
      case "home":
      case "ctrl-a":
        this.cursor = 0;
        return { kind: "none" };
      case "end":
      case "ctrl-e":
        this.cursor = this.chars.length;
        return { kind: "none" };
      case "ctrl-u":
        this.chars = this.chars.slice(this.cursor);
        this.cursor = 0;
        return { kind: "none" };
      case "ctrl-k":
        this.chars = this.chars.slice(0, this.cursor);
        return { kind: "none" };
      case "ctrl-w": {
        const start = this.wordStart(this.cursor);
        this.chars.splice(start, this.cursor - start);
        this.cursor = start;
        return { kind: "none" };
      }
      case "up":
        if (this.histPos > 0) {
          if (this.histPos === this.history.length) this.draft = this.text;
          this.histPos--;
          this.set(this.history[this.histPos] ?? "");
        }
        return { kind: "none" };
      case "down":
        if (this.histPos < this.history.length) {
          this.histPos++;
          this.set(
            this.histPos === this.history.length ? this.draft : (this.history[this.histPos] ?? ""),
          );
        }
        return { kind: "none" };
      case "tab":
        return { kind: "complete" };
      case "ctrl-c": {
        // As in a shell: Ctrl-C abandons a half-typed line (Up brings it back);
        // only on an empty line does it quit.
        if (this.chars.length === 0) return { kind: "interrupt" };
        this.takeLine();
        return { kind: "none" };
      }
      case "ctrl-l":
        return { kind: "redraw" };
      case "escape":
      case "paste": {
        const pasted = (key as { text: string }).text;
        const lines = (this.takeLine() + pasted).replace(/\n$/, "").split("\n");
        return { kind: "paste", lines };
      }
      // Window and scrolling keys belong to the window list, not the line.
      case "alt-digit":
      case "page-up":
      case "page-down":
      case "window-next":
      case "window-prev":
        return { kind: "none" };
    }
  }

  /**
   * The prompt and text folded onto rows of at most `cols - 1` columns (the last
   * column stays free: writing there makes some terminals wrap early), with the
   * cursor's row and column; undefined when that takes more than `maxRows` rows.
   */
  layout(
    prompt: string,
    cols: number,
    maxRows: number,
  ): { rows: string[]; cursorRow: number; cursorCol: number } | undefined {
    const width = Math.max(1, cols - 1);
    const promptWidth = Bun.stringWidth(prompt);
    if (promptWidth >= width) return undefined;
    const rows: string[] = [prompt];
    let used = promptWidth;
    let cursorRow = 0;
    let cursorCol = promptWidth;
    for (let i = 0; i <= this.chars.length; i++) {
      const g = this.chars[i];
      const w = g === undefined ? 1 : Bun.stringWidth(g);
      // The cursor (or the next character) does not fit: start a new row.
      if (used + w > width) {
        rows.push("");
        used = 0;
        if (rows.length > maxRows) return undefined;
      }
      if (i === this.cursor) {
        cursorRow = rows.length - 1;
        cursorCol = used;
      }
      if (g === undefined) break;
      rows[rows.length - 1] += g;
      used += w;
    }
    return { rows, cursorRow, cursorCol };
  }

  /**
   * The prompt line for a terminal `cols` wide: a window onto the text that
   * keeps the cursor visible, measured in columns (wide characters count two).
   */
  render(prompt: string, cols: number): { line: string; cursorCol: number } {
    const promptWidth = Bun.stringWidth(prompt);
    // Leave the last column free: writing there makes some terminals wrap early.
    const room = Math.max(1, cols - promptWidth - 1);
    const widths = this.chars.map((c) => Bun.stringWidth(c));
    let start = 0;
    let before = 0;
    for (let i = 0; i < this.cursor; i++) before += widths[i] ?? 0;
    // Scroll so the cursor sits inside the window.
    while (before >= room && start < this.cursor) {
      before -= widths[start] ?? 0;
      start++;
    }
    let end = start;
    let used = 0;
    while (end < this.chars.length && used + (widths[end] ?? 0) <= room) {
      used += widths[end] ?? 0;
      end++;
    }
    return {
      line: prompt + this.chars.slice(start, end).join(""),
      cursorCol: promptWidth + before,
    };
  }
}

/**
 * Completion of the word before the cursor: commands at the start of a line,
 * nicks elsewhere (with ": " after a nick that opens the line).
 */
export function complete(
  before: string,
  nicks: readonly string[],
  commandNames: readonly string[],
): { replace: number; text: string; candidates: string[] } | undefined {
  const m = /(\S*)$/.exec(before);
  const word = m?.[1] ?? "";
  const atStart = before.length === word.length;
  if (atStart && word.startsWith("/")) {
    const p = word.slice(1).toLowerCase();
    const found = commandNames.filter((c) => c.startsWith(p)).sort();
    return finish(
      word,
      found.map((c) => `/${c}`),
      " ",
    );
  }
  if (word === "") return undefined;
  const p = word.toLowerCase();
  const found = [...new Set(nicks)].filter((n) => n.toLowerCase().startsWith(p)).sort();
  return finish(word, found, atStart ? ": " : " ");
}

function finish(
  word: string,
  found: string[],
  suffix: string,
): { replace: number; text: string; candidates: string[] } | undefined {
  if (found.length === 0) return undefined;
  const replace = graphemes(word).length;
  if (found.length === 1) return { replace, text: `${found[0]}${suffix}`, candidates: found };
  let prefix = found[0] ?? "";
  for (const f of found) {
    while (!f.toLowerCase().startsWith(prefix.toLowerCase())) prefix = prefix.slice(0, -1);
  }
  const text = prefix.length > word.length ? prefix : word;
  return { replace, text, candidates: found };
}
