/**
 * The interactive screen: scrolling output above the prompt (one row, or a
 * few when the typed line is long). Every incoming line clears the prompt
 * area, prints, and redraws prompt + typed text with the cursor where it was,
 * so traffic never splits what the user types.
 * Output goes through an injected writer, so tests can replay the bytes.
 */
import type { LineEditor } from "./editor.ts";

const CLEAR_LINE = "\r\x1b[2K";
/** A long line wraps onto this many rows at most; beyond that it scrolls sideways. */
const MAX_PROMPT_ROWS = 4;

export class Screen {
  cols: number;
  prompt = "";
  /** Prompt text without colour codes, for width measurement. */
  private promptPlain = "";
  /** Rows of the prompt area above the cursor, as last drawn: where clearing starts. */
  private rowsAbove = 0;
  /** The last prompt took several rows, so clearing must reach below the cursor's. */
  private multiRow = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly editor: LineEditor,
    cols: number,
  ) {
    this.cols = cols;
  }

  /** The status line drawn above the prompt ("" for none): windows, unread counts. */
  private status = "";

  setStatus(styled: string): void {
    if (styled === this.status) return;
    this.status = styled;
    this.redraw();
  }

  /** Change the status line without drawing: the next draw shows it. */
  setStatusQuiet(styled: string): void {
    this.status = styled;
  }

  /** Ring the terminal bell (a mention in a window not shown). */
  bell(): void {
    this.write("\x07");
  }

  setPrompt(styled: string, plain: string): void {
    this.prompt = styled;
    this.promptPlain = plain;
    this.redraw();
  }

  /** Back to the first prompt row and clear from there down: the whole prompt area. */
  private clearPrompt(): string {
    const up = this.rowsAbove > 0 ? `\x1b[${this.rowsAbove}A` : "";
    const multi = this.multiRow;
    this.rowsAbove = 0;
    this.multiRow = false;
    return multi ? `${up}\r\x1b[J` : CLEAR_LINE;
  }

  /**
   * The prompt with the typed text, wrapped onto a few rows so a long message
   * can be read whole, and the cursor put back on the typed text.
   */
  private promptRows(): string {
    if (this.status === "") return this.inputRows();
    const rows = this.inputRows();
    // The status row sits above the input rows: one more row to climb when clearing.
    this.rowsAbove += 1;
    this.multiRow = true;
    return `${this.status}\x1b[K\r\n${rows}`;
  }

  private inputRows(): string {
    const fit = this.editor.layout(this.promptPlain, this.cols, MAX_PROMPT_ROWS);
    if (fit === undefined || fit.rows.length === 1) {
      const { line, cursorCol } = this.editor.render(this.promptPlain, this.cols);
      const styled = this.prompt + line.slice(this.promptPlain.length);
      this.rowsAbove = 0;
      this.multiRow = false;
      return `${styled}\r${cursorCol > 0 ? `\x1b[${cursorCol}C` : ""}`;
    }
    const rows = [...fit.rows];
    rows[0] = this.prompt + (rows[0] ?? "").slice(this.promptPlain.length);
    const below = rows.length - 1 - fit.cursorRow;
    this.rowsAbove = fit.cursorRow;
    this.multiRow = true;
    return (
      rows.join("\r\n") +
      (below > 0 ? `\x1b[${below}A` : "") +
      `\r${fit.cursorCol > 0 ? `\x1b[${fit.cursorCol}C` : ""}`
    );
  }

  /** Print lines above the prompt; `bell` rings the terminal (a mention). */
  print(lines: readonly string[], bell = false): void {
    if (lines.length === 0) return;
    // One write per event, so the terminal never shows a half-drawn prompt.
    const clear = this.clearPrompt();
    this.write(
      `${clear}${lines.join("\r\n")}\r\n${bell ? "\x07" : ""}${CLEAR_LINE}${this.promptRows()}`,
    );
  }

  /** Clear the screen and show `lines` (a window's view), then the prompt area. */
  repaint(lines: readonly string[]): void {
    this.rowsAbove = 0;
    this.multiRow = false;
    const body = lines.length === 0 ? "" : `${lines.join("\r\n")}\r\n`;
    this.write(`\x1b[2J\x1b[H${body}${this.promptRows()}`);
  }

  redraw(): void {
    const clear = this.clearPrompt();
    this.write(`${clear}${this.promptRows()}`);
  }

  /** Leave the prompt row for the shell: keep nothing half-typed on screen. */
  finish(): void {
    this.write(this.clearPrompt());
  }
}
