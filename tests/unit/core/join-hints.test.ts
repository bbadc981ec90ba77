import { expect, test } from "bun:test";
import { networkInterfaces } from "node:os";
import { historyLine, joinHints, otherWaysLine } from "../../../src/cli/serve-banner.ts";

test("a specific host gets exactly one join line", () => {
  expect(joinHints("127.0.0.1", 7000)).toEqual(["  chat join 127.0.0.1:7000"]);
  expect(joinHints("::1", 7000)).toEqual(["  chat join [::1]:7000"]);
});

test("0.0.0.0 lists every non-loopback IPv4 address, never loopback", () => {
  const lines = joinHints("0.0.0.0", 6667);
  const external = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && a.family === "IPv4")
    .map((a) => a?.address);
  if (external.length === 0) {
    expect(lines).toEqual(["  chat join 127.0.0.1:6667   (no network interface found)"]);
    return;
  }
  expect(lines).toEqual(external.map((ip) => `  chat join ${ip}:6667`));
});

test("the line for guests without chat names a real address and the port, not HOST PORT", () => {
  expect(otherWaysLine("127.0.0.1", 7000)).toContain("nc 127.0.0.1 7000");
  expect(otherWaysLine("::1", 7000)).toContain("nc ::1 7000");
  const any = otherWaysLine("0.0.0.0", 6667);
  expect(any).toMatch(/nc \d+\.\d+\.\d+\.\d+ 6667/);
  expect(any).not.toContain("HOST");
});

test("the start-up screen says where history is kept, or that it is not", () => {
  expect(historyLine("/srv/chat.db")).toBe("History: /srv/chat.db (kept across restarts)");
  expect(historyLine(":memory:")).toContain("gone when the server stops");
});
