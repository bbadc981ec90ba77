import { describe, expect, test } from "bun:test";
import { describeConnectError } from "../../../src/client/connect-error.ts";
import { pipeOutput, readLines } from "../../../src/client/pipe.ts";
import { SendQueue } from "../../../src/client/send-queue.ts";
import { fallbackNick, sanitizeNick, textBudget } from "../../../src/client/text.ts";
import { LineEditor } from "../../../src/client/ui/editor.ts";
import { Screen } from "../../../src/client/ui/screen.ts";
import { splitText } from "../../../src/protocol/text.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

describe("send queue", () => {
  test("partial writes keep the rest, in order, until drain", () => {
    const written: number[] = [];
    let budget = 3;
    const q = new SendQueue({
      write(d) {
        const n = Math.min(budget, d.length);
        budget -= n;
        written.push(...d.subarray(0, n));
        return n;
      },
    });
    q.enqueue(enc.encode("hello"));
    q.enqueue(enc.encode("world"));
    expect(dec.decode(new Uint8Array(written))).toBe("hel");
    expect(q.pending).toBe(7);
    budget = 100;
    q.flush();
    expect(dec.decode(new Uint8Array(written))).toBe("helloworld");
    expect(q.pending).toBe(0);
  });

  test("a closed socket refuses more", () => {
    const q = new SendQueue({ write: () => -1 });
    expect(q.enqueue(enc.encode("x"))).toBe(false);
    expect(q.enqueue(enc.encode("y"))).toBe(false);
  });

  test("the queue is bounded", () => {
    const q = new SendQueue({ write: () => 0 }, 10);
    expect(q.enqueue(enc.encode("12345"))).toBe(true);
    expect(q.enqueue(enc.encode("123456"))).toBe(false);
  });
});

describe("splitting long text", () => {
  test("short text is one line", () => {
    expect(splitText("hi", 100)).toEqual(["hi"]);
  });

  test("pieces fit the byte budget, break at spaces and keep every word", () => {
    const text = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    const parts = splitText(text, 100);
    for (const p of parts) expect(enc.encode(p).length).toBeLessThanOrEqual(100);
    expect(parts.join(" ")).toBe(text);
  });

  test("multi-byte characters are never cut", () => {
    const parts = splitText("é".repeat(300), 101);
    for (const p of parts) {
      expect(enc.encode(p).length).toBeLessThanOrEqual(101);
      expect(p).not.toContain("\uFFFD");
    }
    expect(parts.join("")).toBe("é".repeat(300));
  });

  test("a full relayed line stays within 512 bytes", () => {
    const budget = textBudget("alice", "#lobby");
    const relayed = `:alice!${"u".repeat(10)}@${"h".repeat(52)} PRIVMSG #lobby :${"x".repeat(budget)}\r\n`;
    expect(enc.encode(relayed).length).toBeLessThanOrEqual(512);
  });
});

describe("nicks", () => {
  test("login names become valid nicks", () => {
    expect(sanitizeNick("john.doe")).toBe("john_doe");
    expect(sanitizeNick("1337")).toBe("u1337");
    expect(sanitizeNick("")).toBe("guest");
    expect(sanitizeNick("x".repeat(40))).toHaveLength(30);
  });

  test("fallbacks: nick, nick_, nick__, then digits", () => {
    expect(fallbackNick("bob", 0)).toBe("bob");
    expect(fallbackNick("bob", 1)).toBe("bob_");
    expect(fallbackNick("bob", 2)).toBe("bob__");
    expect(fallbackNick("bob", 3, () => 0.5)).toBe("bob5500");
  });
});

describe("connect errors are one actionable line", () => {
  test.each([
    ["ECONNREFUSED", "connection refused"],
    ["ENOTFOUND", "host not found"],
    ["EHOSTUNREACH", "host unreachable"],
    ["ETIMEDOUT", "no answer after 10 s"],
  ])("%s", (code, text) => {
    const line = describeConnectError({ code }, "example:6667", 10_000);
    expect(line).toContain("example:6667");
    expect(line).toContain(text);
    expect(line).not.toContain("\n");
  });
});

describe("pipe mode", () => {
  test("reads lines with LF or CRLF, including a last line without newline", async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield enc.encode("one\r\ntw");
      yield enc.encode("o\nthree");
    }
    const out: string[] = [];
    for await (const l of readLines(chunks())) out.push(l);
    expect(out).toEqual(["one", "two", "three"]);
  });

  test("own echoes are not printed back to the script", () => {
    const base = {
      type: "message" as const,
      kind: "privmsg" as const,
      time: new Date(2026, 0, 1, 8, 30),
      room: "#lobby",
      nick: "ci",
      text: "done",
      history: false,
      mention: false,
    };
    expect(pipeOutput({ ...base, self: true }, false)).toEqual({});
    expect(pipeOutput({ ...base, self: false }, false)).toEqual({ out: "08:30 <ci> done" });
    const j = pipeOutput({ ...base, self: false, msgid: "m" }, true).out ?? "";
    expect(JSON.parse(j)).toMatchObject({ type: "message", nick: "ci", msgid: "m" });
  });
});

describe("screen", () => {
  test("an incoming line clears the prompt row, prints, and redraws the typed text", () => {
    let out = "";
    const ed = new LineEditor();
    const screen = new Screen(
      (s) => {
        out += s;
      },
      ed,
      80,
    );
    screen.setPrompt("[#lobby] ", "[#lobby] ");
    ed.set("half typ");
    out = "";
    screen.print(["12:00 <bob> hi"]);
    expect(out).toBe("\r\x1b[2K12:00 <bob> hi\r\n\r\x1b[2K[#lobby] half typ\r\x1b[17C");
  });
});
