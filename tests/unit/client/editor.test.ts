import { describe, expect, test } from "bun:test";
import { complete, LineEditor } from "../../../src/client/ui/editor.ts";
import { type Key, KeyDecoder } from "../../../src/client/ui/keys.ts";

const enc = new TextEncoder();

/** Type raw terminal bytes into an editor, returning what each key produced. */
function type(ed: LineEditor, bytes: string): string[] {
  const dec = new KeyDecoder();
  return dec.push(enc.encode(bytes)).map((k) => ed.feed(k).kind);
}

describe("key decoding", () => {
  test("arrows, home/end, delete and control keys", () => {
    const dec = new KeyDecoder();
    const names = dec
      .push(enc.encode("a\x1b[D\x1b[C\x1b[H\x1b[F\x1b[3~\x1bOA\x7f\t\r\x03\x04"))
      .map((k) => k.name);
    expect(names).toEqual([
      "text",
      "left",
      "right",
      "home",
      "end",
      "delete",
      "up",
      "backspace",
      "tab",
      "enter",
      "ctrl-c",
      "ctrl-d",
    ]);
  });

  test("an escape sequence split across reads is one key", () => {
    const dec = new KeyDecoder();
    expect(dec.push(enc.encode("x\x1b["))).toEqual([{ name: "text", text: "x" }]);
    expect(dec.push(enc.encode("D"))).toEqual([{ name: "left" }]);
  });

  test("Escape then a letter keeps the letter", () => {
    const ed = new LineEditor();
    type(ed, "\x1bx");
    expect(ed.text).toBe("x");
  });

  test("a UTF-8 character split across reads arrives whole", () => {
    const dec = new KeyDecoder();
    const bytes = enc.encode("é");
    expect(dec.push(bytes.subarray(0, 1))).toEqual([]);
    expect(dec.push(bytes.subarray(1))).toEqual([{ name: "text", text: "é" }]);
  });

  test("a bracketed paste of two lines is one paste of both, after what was typed", () => {
    const ed = new LineEditor();
    type(ed, "say: ");
    const dec = new KeyDecoder();
    const bytes = new TextEncoder().encode("\x1b[200~one\r\ntwo\n\x1b[201~");
    // Cut inside the end marker: the decoder waits for the rest.
    const keys = [
      ...dec.push(bytes.subarray(0, bytes.length - 3)),
      ...dec.push(bytes.subarray(bytes.length - 3)),
    ];
    expect(keys).toEqual([{ name: "paste", text: "one\ntwo\n" }]);
    expect(ed.feed(keys[0] as Key)).toEqual({ kind: "paste", lines: ["say: one", "two"] });
    expect(ed.text).toBe("");
  });

  test("a pasted single line with its Enter is typed and submitted as before", () => {
    const ed = new LineEditor();
    const kinds = type(ed, "\x1b[200~just one\n\x1b[201~");
    expect(kinds.filter((k) => k === "submit")).toHaveLength(1);
  });
});

describe("line editing", () => {
  test("insert in the middle, backspace and delete work on what the user sees", () => {
    const ed = new LineEditor();
    type(ed, "helo\x1b[D");
    type(ed, "l");
    expect(ed.text).toBe("hello");
    type(ed, "\x1b[H\x1b[3~");
    expect(ed.text).toBe("ello");
    type(ed, "\x1b[F\x7f");
    expect(ed.text).toBe("ell");
  });

  test("one backspace removes a whole emoji or accented character", () => {
    const ed = new LineEditor();
    type(ed, "ok 👍🏽");
    type(ed, "\x7f");
    expect(ed.text).toBe("ok ");
    type(ed, "e\u0301");
    expect(ed.text).toBe("ok e\u0301");
    type(ed, "\x7f");
    expect(ed.text).toBe("ok ");
  });

  test("Ctrl-W deletes a word, Ctrl-U to the start, Ctrl-K to the end", () => {
    const ed = new LineEditor();
    type(ed, "one two three\x17");
    expect(ed.text).toBe("one two ");
    type(ed, "\x1b[D\x1b[D\x0b");
    expect(ed.text).toBe("one tw");
    type(ed, "\x15");
    expect(ed.text).toBe("");
  });

  test("Enter submits and clears; Up/Down walk history and restore the draft", () => {
    const ed = new LineEditor();
    expect(type(ed, "first\r")).toContain("submit");
    type(ed, "second\r");
    type(ed, "dra");
    type(ed, "\x1b[A");
    expect(ed.text).toBe("second");
    type(ed, "\x1b[A");
    expect(ed.text).toBe("first");
    type(ed, "\x1b[B\x1b[B");
    expect(ed.text).toBe("dra");
  });

  test("Ctrl-D on an empty line is end of input; Ctrl-C on an empty line interrupts", () => {
    const ed = new LineEditor();
    expect(type(ed, "\x04")).toEqual(["eof"]);
    expect(type(ed, "\x03")).toEqual(["interrupt"]);
  });

  test("Ctrl-C on a half-typed line abandons it without quitting; Up brings it back", () => {
    const ed = new LineEditor();
    expect(type(ed, "half a thought\x03")).not.toContain("interrupt");
    expect(ed.text).toBe("");
    type(ed, "\x1b[A");
    expect(ed.text).toBe("half a thought");
    expect(type(ed, "\x03\x03")).toEqual(["none", "interrupt"]);
  });
});

describe("rendering the prompt", () => {
  test("a long line folds onto rows of cols-1 columns, a wide character never split", () => {
    const ed = new LineEditor();
    ed.set("abcd你好ef");
    // 10 columns: 9 usable per row; "> " + "abcd" + "你" = 8, "好" (2) moves down.
    const fit = ed.layout("> ", 10, 4);
    expect(fit?.rows).toEqual(["> abcd你", "好ef"]);
    expect(fit).toMatchObject({ cursorRow: 1, cursorCol: 4 });
    ed.set("abcd你好ef", 2);
    expect(ed.layout("> ", 10, 4)).toMatchObject({ cursorRow: 0, cursorCol: 4 });
    // Too long for the allowed rows: the caller falls back to sideways scrolling.
    ed.set("x".repeat(100));
    expect(ed.layout("> ", 10, 4)).toBeUndefined();
  });

  test("cursor column counts wide characters as two", () => {
    const ed = new LineEditor();
    ed.set("日本");
    expect(ed.render("> ", 80)).toEqual({ line: "> 日本", cursorCol: 6 });
  });

  test("a line longer than the terminal scrolls so the cursor stays visible", () => {
    const ed = new LineEditor();
    ed.set("x".repeat(200));
    const r = ed.render("> ", 40);
    expect(Bun.stringWidth(r.line)).toBeLessThan(40);
    expect(r.cursorCol).toBeLessThan(40);
    expect(r.line.startsWith("> ")).toBe(true);
  });
});

describe("tab completion", () => {
  const nicks = ["alice", "alfred", "bob"];
  const cmds = ["help", "join", "j", "quit"];

  test("a unique nick at the start of the line gets ': '", () => {
    expect(complete("bo", nicks, cmds)).toMatchObject({ replace: 2, text: "bob: " });
  });

  test("mid-line a nick gets a space", () => {
    expect(complete("hi bo", nicks, cmds)).toMatchObject({ replace: 2, text: "bob " });
  });

  test("several matches complete the common prefix and list the candidates", () => {
    expect(complete("a", nicks, cmds)).toEqual({
      replace: 1,
      text: "al",
      candidates: ["alfred", "alice"],
    });
  });

  test("commands complete after a slash", () => {
    expect(complete("/qu", nicks, cmds)).toMatchObject({ text: "/quit " });
  });

  test("nothing to complete returns undefined", () => {
    expect(complete("zz", nicks, cmds)).toBeUndefined();
    expect(complete("", nicks, cmds)).toBeUndefined();
  });

  test("completing inside a line keeps the text after the cursor", () => {
    const ed = new LineEditor();
    type(ed, "bo rest\x1b[H\x1b[C\x1b[C");
    const c = complete(ed.beforeCursor, nicks, cmds);
    if (c === undefined) throw new Error("no completion");
    ed.replaceBeforeCursor(c.replace, c.text);
    expect(ed.text).toBe("bob:  rest");
  });
});
