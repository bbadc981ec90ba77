import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  escapeTagValue,
  type IrcMessage,
  IrcParseError,
  IrcSerializeError,
  message,
  parse,
  serialize,
  unescapeTagValue,
} from "../../../src/protocol/message.ts";
import vectors from "./fixtures/parser-tests.json";

interface Atoms {
  tags?: Record<string, string>;
  source?: string;
  verb: string;
  params?: string[];
}

function fromAtoms(a: Atoms): IrcMessage {
  const m: IrcMessage = {
    tags: new Map(Object.entries(a.tags ?? {})),
    command: a.verb,
    params: a.params ?? [],
  };
  if (a.source !== undefined) m.source = a.source;
  return m;
}

describe("parse: ircdocs msg-split vectors", () => {
  const cases = vectors.msgSplit as { input: string; atoms: Atoms }[];
  test.each(cases.map((c) => [c.input, c.atoms] as const))("%p", (input, atoms) => {
    const m = parse(input);
    // Our parser upper-cases verbs so handlers can compare them directly.
    expect(m.command).toBe(atoms.verb.toUpperCase());
    expect(m.source).toBe(atoms.source);
    expect(m.params).toEqual(atoms.params ?? []);
    expect(Object.fromEntries(m.tags)).toEqual(atoms.tags ?? {});
  });
});

describe("serialize: ircdocs msg-join vectors", () => {
  const cases = vectors.msgJoin as { desc: string; atoms: Atoms; matches: string[] }[];
  test.each(cases.map((c) => [c.desc, c.atoms, c.matches] as const))(
    "%s",
    (_desc, atoms, matches) => {
      expect(matches).toContain(serialize(fromAtoms(atoms)));
    },
  );
});

describe("codec edge cases", () => {
  test("an empty last parameter keeps its colon, so it is not lost on the wire", () => {
    const line = serialize(message("PRIVMSG", ["#room", ""]));
    expect(line).toBe("PRIVMSG #room :");
    expect(parse(line).params).toEqual(["#room", ""]);
  });

  test("a last parameter starting with a colon or containing a space gets a trailing colon", () => {
    expect(serialize(message("PRIVMSG", ["#r", ":)"]))).toBe("PRIVMSG #r ::)");
    expect(serialize(message("PRIVMSG", ["#r", "hi there"]))).toBe("PRIVMSG #r :hi there");
    expect(serialize(message("PRIVMSG", ["#r", "word"]))).toBe("PRIVMSG #r word");
  });

  test("a middle parameter that would need a colon is refused", () => {
    expect(() => serialize(message("PRIVMSG", ["a b", "x"]))).toThrow(IrcSerializeError);
    expect(() => serialize(message("PRIVMSG", ["", "x"]))).toThrow(IrcSerializeError);
    expect(() => serialize(message("PRIVMSG", [":a", "x"]))).toThrow(IrcSerializeError);
  });

  test.each([
    ["CR in text", message("PRIVMSG", ["#r", "hi\rQUIT"])],
    ["LF in text", message("PRIVMSG", ["#r", "hi\nQUIT :bye"])],
    ["NUL in text", message("PRIVMSG", ["#r", "a\0b"])],
    ["LF in a middle param", message("PRIVMSG", ["#r\n", "x"])],
    ["LF in the source", message("PRIVMSG", ["#r", "x"], { source: "a\nb" })],
    ["NUL in a tag key", message("PRIVMSG", ["#r", "x"], { tags: new Map([["a\0", "1"]]) })],
    ["LF in the command", message("PRI\nVMSG", ["#r", "x"])],
  ])("serialize refuses %s (no line injection)", (_what, m) => {
    expect(() => serialize(m)).toThrow(IrcSerializeError);
  });

  test("tag values with CR, LF, ; space and backslash are escaped and come back intact", () => {
    const value = "a;b c\\d\re\nf";
    const line = serialize(message("TAGMSG", ["#r"], { tags: new Map([["+x", value]]) }));
    expect(line).toBe("@+x=a\\:b\\sc\\\\d\\re\\nf TAGMSG #r");
    expect(parse(line).tags.get("+x")).toBe(value);
    expect(unescapeTagValue(escapeTagValue(value))).toBe(value);
  });

  test("an empty tag value is sent as the bare key", () => {
    expect(serialize(message("TAGMSG", ["#r"], { tags: new Map([["k", ""]]) }))).toBe(
      "@k TAGMSG #r",
    );
  });

  test("lower-case commands are upper-cased and extra spaces tolerated", () => {
    const m = parse("  privmsg   #room    :hi  there");
    expect(m.command).toBe("PRIVMSG");
    expect(m.params).toEqual(["#room", "hi  there"]);
  });

  test.each(["", "   ", "@a=b", "@a=b ", ":source", ":source   ", "@a :src "])(
    "a line with no command (%p) is an IrcParseError",
    (line) => {
      expect(() => parse(line)).toThrow(IrcParseError);
    },
  );

  test("UTF-8 text passes through unchanged", () => {
    const m = message("PRIVMSG", ["#café", "héllo wörld ✓ 😀"], { source: "zoë!z@h" });
    expect(parse(serialize(m))).toEqual(m);
  });
});

// Generators for messages that are valid to serialize.
const noBreaks = (s: string): boolean => !/[\0\r\n]/.test(s);
const tagKey = fc.stringMatching(/^\+?([a-z][a-z0-9.-]{0,8}\/)?[A-Za-z0-9-]{1,12}$/);
const tagValue = fc.string({ unit: "grapheme", maxLength: 20 }).filter((s) => !s.includes("\0"));
const middle = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 15 })
  .filter((s) => noBreaks(s) && !s.includes(" ") && !s.startsWith(":"));
const trailing = fc.string({ unit: "grapheme", maxLength: 40 }).filter(noBreaks);
const source = fc.option(middle, { nil: undefined });
const command = fc.oneof(fc.stringMatching(/^[A-Z]{1,12}$/), fc.stringMatching(/^[0-9]{3}$/));

const validMessage: fc.Arbitrary<IrcMessage> = fc
  .record({
    tags: fc.uniqueArray(fc.tuple(tagKey, tagValue), { maxLength: 4, selector: (t) => t[0] }),
    source,
    command,
    middles: fc.array(middle, { maxLength: 6 }),
    last: fc.option(trailing, { nil: undefined }),
  })
  .map(({ tags, source, command, middles, last }) =>
    message(command, last === undefined ? middles : [...middles, last], {
      tags: new Map(tags),
      ...(source === undefined ? {} : { source }),
    }),
  );

describe("codec properties", () => {
  test("parse(serialize(m)) gives back m for any valid message", () => {
    fc.assert(
      fc.property(validMessage, (m) => {
        expect(parse(serialize(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });

  test("serialize(parse(line)) is stable: re-serializing gives the same line", () => {
    fc.assert(
      fc.property(validMessage, (m) => {
        const once = serialize(m);
        expect(serialize(parse(once))).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  test("parse never throws anything but IrcParseError on arbitrary text", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ unit: fc.constantFrom("@", ":", " ", ";", "=", "\\", "a", "1", "\r", "\0") }),
    );
    fc.assert(
      fc.property(anyText, (line) => {
        try {
          const m = parse(line);
          expect(m.command.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(IrcParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("serialize never emits CR, LF or NUL: it throws IrcSerializeError instead", () => {
    const anyParam = fc.string({ unit: "binary", maxLength: 30 });
    fc.assert(
      fc.property(fc.array(anyParam, { maxLength: 4 }), anyParam, (params, src) => {
        try {
          const line = serialize(message("PRIVMSG", params, src === "" ? {} : { source: src }));
          expect(line).not.toMatch(/[\0\r\n]/);
        } catch (err) {
          expect(err).toBeInstanceOf(IrcSerializeError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
