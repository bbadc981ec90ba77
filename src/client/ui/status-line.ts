/**
 * The status line above the prompt: every window by number, the active one
 * in brackets, unread counts, `!` for a mention or private line, and a note
 * when the view is scrolled back. Cut to the terminal's width (a wrapped
 * status line would break the prompt's row count). Pure.
 */
import type { Windows } from "../windows.ts";
import { clean } from "./safe.ts";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Cut to at most `width` columns, by grapheme. */
export function clip(text: string, width: number): string {
  let out = "";
  let w = 0;
  for (const { segment } of segmenter.segment(text)) {
    const gw = Bun.stringWidth(segment);
    if (w + gw > width) break;
    out += segment;
    w += gw;
  }
  return out;
}

export function statusLine(windows: Windows, more: string, cols: number, colour: boolean): string {
  const plain = clip(clean(windows.statusText()) + more, Math.max(1, cols - 1));
  return colour ? `\x1b[7m${plain}\x1b[0m` : plain;
}
