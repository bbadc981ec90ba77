import { describe, expect, test } from "bun:test";
import { Logger } from "../../../src/cli/logger.ts";

const AT = new Date("2026-01-02T03:04:05.678Z");

function logger(format: "text" | "json", level: "debug" | "info" | "warn" | "error" = "info") {
  const lines: string[] = [];
  const l = new Logger(
    (s) => lines.push(s),
    format,
    level,
    () => AT,
  );
  return { l, lines };
}

describe("Logger", () => {
  test("text: time, level and message, one line per event", () => {
    const { l, lines } = logger("text");
    l.event({ level: "info", event: "connect", msg: "connect 10.0.0.5 (id 1)", fields: { id: 1 } });
    l.event({ level: "error", event: "internal-error", msg: "boom\n  at f()\r\n  at g()" });
    expect(lines).toEqual([
      "2026-01-02T03:04:05.678Z info connect 10.0.0.5 (id 1)\n",
      "2026-01-02T03:04:05.678Z error boom   at f()   at g()\n",
    ]);
  });

  test("json: one object a line with time, level, event, msg and the fields", () => {
    const { l, lines } = logger("json");
    l.event({
      level: "warn",
      event: "refused",
      msg: "refused 10.0.0.5: per-address connection limit",
      fields: { ip: "10.0.0.5", reason: "per-address connection limit", nick: undefined },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      time: "2026-01-02T03:04:05.678Z",
      level: "warn",
      event: "refused",
      msg: "refused 10.0.0.5: per-address connection limit",
      ip: "10.0.0.5",
      reason: "per-address connection limit",
    });
  });

  test("a field cannot overwrite the time, level, event or message", () => {
    const { l, lines } = logger("json");
    l.event({ level: "info", event: "kick", msg: "m", fields: { level: "error", event: "x" } });
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: "info", event: "kick" });
  });

  test("events below the level are dropped; setLevel changes it", () => {
    const { l, lines } = logger("text", "warn");
    l.log("info", "connect", "hidden");
    l.log("warn", "refused", "shown");
    l.setLevel("debug");
    l.log("debug", "x", "now shown");
    expect(lines.map((s) => s.slice(25))).toEqual(["warn shown\n", "debug now shown\n"]);
  });

  test("configured secrets are masked wherever they appear, in text and in JSON", () => {
    for (const format of ["text", "json"] as const) {
      const { l, lines } = logger(format);
      l.setSecrets(['pa"ss\\word', "hunter2", "hunter2-long"]);
      l.log("info", "x", 'said hunter2-long and pa"ss\\word and hunter2');
      expect(lines[0]).not.toContain("hunter2");
      expect(lines[0]).not.toContain("ss\\\\word");
      expect(lines[0]).not.toContain('pa"ss');
      expect(lines[0]).toContain("said ******** and ******** and ********");
    }
  });

  test("json: a secret made of JSON syntax or digits is masked in values and the line still parses", () => {
    const { l, lines } = logger("json");
    l.setSecrets([",", '"', "0"]);
    l.event({ level: "info", event: "quit", msg: 'a, "b" 0', fields: { reason: "x,y", id: 10 } });
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      time: "2026-01-02T03:04:05.678Z",
      level: "info",
      event: "quit",
      msg: "a******** ********b******** ********",
      reason: "x********y",
      id: 10,
    });
  });
});
