/**
 * Terminal input bytes -> keys. Escape sequences may be split across reads,
 * so the decoder keeps an unfinished one for the next chunk. Pure.
 */

export type Key =
  | { name: "text"; text: string }
  /** A bracketed paste with a line break in it: the whole block, to send as one. */
  | { name: "paste"; text: string }
  /** Alt-1..9: go to window N. */
  | { name: "alt-digit"; digit: number }
  | {
      name:
        | "enter"
        | "backspace"
        | "delete"
        | "left"
        | "right"
        | "up"
        | "down"
        | "home"
        | "end"
        | "tab"
        | "ctrl-a"
        | "ctrl-c"
        | "ctrl-d"
        | "ctrl-e"
        | "ctrl-k"
        | "ctrl-l"
        | "ctrl-u"
        | "ctrl-w"
        | "word-left"
        | "word-right"
        | "page-up"
        | "page-down"
        | "window-next"
        | "window-prev"
        | "escape";
    };

const CSI_KEYS: Record<string, Key["name"]> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
  "1;5C": "word-right",
  "1;5D": "word-left",
  // Alt-arrows move between windows (Ctrl-arrows and Alt-b/f still move by words).
  "1;3C": "window-next",
  "1;3D": "window-prev",
  "5~": "page-up",
  "6~": "page-down",
};

const CONTROL: Record<number, Key["name"]> = {
  1: "ctrl-a",
  2: "left",
  3: "ctrl-c",
  4: "ctrl-d",
  5: "ctrl-e",
  6: "right",
  8: "backspace",
  9: "tab",
  10: "enter",
  11: "ctrl-k",
  12: "ctrl-l",
  13: "enter",
  // Ctrl-N / Ctrl-P: next and previous window, as in irssi.
  14: "window-next",
  16: "window-prev",
  21: "ctrl-u",
  23: "ctrl-w",
  127: "backspace",
};

export class KeyDecoder {
  private readonly utf8 = new TextDecoder("utf-8", { fatal: false });
  private carry = "";
  private pasting = false;
  /** Text of the bracketed paste in progress. */
  private pasted = "";

  /** Decode a chunk; `flush` treats a trailing lone ESC as the Escape key. */
  push(bytes: Uint8Array, flush = false): Key[] {
    const s = this.carry + this.utf8.decode(bytes, { stream: true });
    this.carry = "";
    const keys: Key[] = [];
    let text = "";
    const emitText = (): void => {
      if (text !== "") keys.push({ name: "text", text });
      text = "";
    };
    let i = 0;
    while (i < s.length) {
      if (this.pasting) {
        // Everything up to the end marker is pasted text, line breaks included.
        const end = s.indexOf("\x1b[201~", i);
        if (end === -1) {
          // Keep a possibly cut end marker for the next chunk.
          const cut = s.lastIndexOf("\x1b", s.length - 1);
          const keep = cut >= i && s.length - cut < 6 ? cut : s.length;
          this.pasted += s.slice(i, keep);
          this.carry = s.slice(keep);
          break;
        }
        this.pasted += s.slice(i, end);
        i = end + 6;
        this.pasting = false;
        const block = this.pasted.replace(/\r\n?/g, "\n").replace(/\t/g, " ");
        this.pasted = "";
        if (block.replace(/\n$/, "").includes("\n")) {
          emitText();
          keys.push({ name: "paste", text: block });
        } else {
          // One line (perhaps with its Enter) types as it always did.
          text += block.replace(/\n$/, "");
          if (block.endsWith("\n")) {
            emitText();
            keys.push({ name: "enter" });
          }
        }
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 27) {
        const rest = s.slice(i);
        // ESC ESC [C / ESC ESC [D: Alt-arrows as macOS Terminal and rxvt send them.
        const alt = /^\x1b\x1b\[([CD])/.exec(rest);
        if (alt !== null) {
          emitText();
          keys.push({ name: alt[1] === "C" ? "window-next" : "window-prev" });
          i += alt[0].length;
          continue;
        }
        const m = /^\x1b(?:\[([0-9;]*)([A-Za-z~])|O([A-Za-z])|([^[O]))/.exec(rest);
        if (m === null) {
          if (rest.length < 8 && !flush && /^\x1b(\[[0-9;]*|O)?$/.test(rest)) {
            this.carry = rest;
            break;
          }
          emitText();
          keys.push({ name: "escape" });
          i++;
          continue;
        }
        i += m[0].length;
        if (m[2] !== undefined) {
          const code = `${m[1] ?? ""}${m[2]}`;
          if (code === "200~") {
            emitText();
            this.pasting = true;
            continue;
          }
          if (code === "201~") {
            emitText();
            this.pasting = false;
            continue;
          }
          const name = CSI_KEYS[code] ?? CSI_KEYS[m[2]];
          emitText();
          if (name !== undefined) keys.push({ name } as Key);
        } else if (m[3] !== undefined) {
          emitText();
          const name = CSI_KEYS[m[3]];
          if (name !== undefined) keys.push({ name } as Key);
        } else if (m[4] !== undefined) {
          // Alt+b / Alt+f move by words, as in readline.
          emitText();
          if (m[4] === "b") keys.push({ name: "word-left" });
          else if (m[4] === "f") keys.push({ name: "word-right" });
          else if (m[4] === "\x7f") keys.push({ name: "ctrl-w" });
          else if (m[4] >= "1" && m[4] <= "9")
            keys.push({ name: "alt-digit", digit: Number(m[4]) });
          // A lone Escape followed by typing must not swallow the typed character.
          else if (m[4] >= " ") keys.push({ name: "text", text: m[4] });
        }
        continue;
      }
      if (c < 32 || c === 127) {
        // Inside a bracketed paste a newline is still Enter: each pasted line is sent.
        const name = CONTROL[c];
        if (this.pasting && c === 9) {
          text += " ";
        } else {
          emitText();
          if (name !== undefined) keys.push({ name } as Key);
        }
        // CR LF from a paste is one Enter.
        if (c === 13 && s.charCodeAt(i + 1) === 10) i++;
        i++;
        continue;
      }
      const cp = s.codePointAt(i) ?? c;
      const ch = String.fromCodePoint(cp);
      text += ch;
      i += ch.length;
    }
    emitText();
    return keys;
  }
}
