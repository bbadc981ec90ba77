/**
 * A flushed chunk cut into WebSocket messages: one per IRC line, CR LF gone,
 * and a chunk shared by many sockets cut once per flush, fresh in the next.
 */
import { describe, expect, test } from "bun:test";
import { LineCache, splitLines, textsOf } from "../../../src/transport/ws-lines.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (views: readonly Uint8Array[]) => views.map((v) => dec.decode(v));

describe("splitLines", () => {
  test("CR LF and bare LF end a line; a last line without LF counts; an empty line stays", () => {
    expect(text(splitLines(enc.encode("a b\r\nc\n\r\nlast")))).toEqual(["a b", "c", "", "last"]);
    expect(splitLines(new Uint8Array(0))).toEqual([]);
  });
});

describe("LineCache", () => {
  test("the same chunk in one turn is cut once; a new turn cuts it again", () => {
    const cache = new LineCache();
    const chunk = enc.encode(":a PRIVMSG #r :one\r\n:a PRIVMSG #r :two\r\n");
    const first = cache.get(chunk, 1);
    expect(text(first.views)).toEqual([":a PRIVMSG #r :one", ":a PRIVMSG #r :two"]);
    expect(cache.get(chunk, 1)).toBe(first);
    // Another chunk with equal bytes is another entry: identity, not content.
    expect(cache.get(chunk.slice(), 1)).not.toBe(first);
    chunk.set(enc.encode(":b"), 0);
    expect(text(cache.get(chunk, 2).views)[0]).toBe(":b PRIVMSG #r :one");
  });

  test("text is decoded once per chunk, invalid UTF-8 as U+FFFD", () => {
    const cache = new LineCache();
    const lines = cache.get(new Uint8Array([0x68, 0xff, 0x0a, 0x69]), 1);
    const texts = textsOf(lines);
    expect(texts).toEqual(["h\uFFFD", "i"]);
    expect(textsOf(lines)).toBe(texts);
  });
});
