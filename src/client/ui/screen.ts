/**
 * The interactive screen: scrolling output above a one-row prompt. Every
 * incoming line clears the prompt row, prints, and redraws prompt + typed text
 * with the cursor where it was, so traffic never splits what the user types.
 * Output goes through an injected writer, so tests can replay the bytes.
 */
import type { LineEditor } from "./editor.ts";

const CLEAR_LINE = "\r\x1b[2K";

export class Screen {
  cols: number;
  prompt = "";
  /** Prompt text without colour codes, for width measurement. */
  private promptPlain = "";

  constructor(
    private readonly write: (s: string) => void,
    private readonly editor: LineEditor,
    cols: number,
  ) {
    this.cols = cols;
  }

  setPrompt(styled: string, plain: string): void {
    this.prompt = styled;
    this.promptPlain = plain;
    this.redraw();
  }

  /** The prompt row and the cursor move that puts the cursor back on the typed text. */
  private promptRow(): string {
    const { line, cursorCol } = this.editor.render(this.promptPlain, this.cols);
    const styled = this.prompt + line.slice(this.promptPlain.length);
    return `${CLEAR_LINE}${styled}\r${cursorCol > 0 ? `\x1b[${cursorCol}C` : ""}`;
  }

  /** Print lines above the prompt; `bell` rings the terminal (a mention). */
  print(lines: readonly string[], bell = false): void {
    if (lines.length === 0) return;
    // One write per event, so the terminal never shows a half-drawn prompt.
    this.write(`${CLEAR_LINE}${lines.join("\r\n")}\r\n${bell ? "\x07" : ""}${this.promptRow()}`);
  }

  redraw(): void {
    this.write(this.promptRow());
  }

  /** Leave the prompt row for the shell: keep nothing half-typed on screen. */
  finish(): void {
    this.write(`${CLEAR_LINE}`);
  }
}
