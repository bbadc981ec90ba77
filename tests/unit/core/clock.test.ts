import { expect, test } from "bun:test";
import { monotonicClock } from "../../../src/core/core.ts";

test("server time never goes backwards when the wall clock steps back", () => {
  const readings = [1000, 2000, 1500, 1500, 2500];
  let i = 0;
  const now = monotonicClock(() => readings[i++] ?? 0);
  expect([now(), now(), now(), now(), now()]).toEqual([1000, 2000, 2000, 2000, 2500]);
});
