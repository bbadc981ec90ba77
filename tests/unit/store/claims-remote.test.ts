/** Claims replayed from other nodes: the earlier of two claims on one nick wins on every node. */
import { expect, test } from "bun:test";
import { type Claim, ClaimStore } from "../../../src/store/claims.ts";

const claim = (hash: string, created: number): Claim => ({
  folded: "ann",
  nick: "Ann",
  hash,
  certfp: null,
  created,
  lastLogin: created,
});

test("two nodes that each claimed one nick at once keep the same, earlier claim", () => {
  const early = claim("h-early", 1000);
  const late = claim("h-late", 2000);
  const a = ClaimStore.memory();
  const b = ClaimStore.memory();
  a.applyRemote({ op: "put", claim: late }, 3000);
  a.applyRemote({ op: "put", claim: early }, 3000);
  b.applyRemote({ op: "put", claim: early }, 3000);
  b.applyRemote({ op: "put", claim: late }, 3000);
  expect(a.get("ann", 3000)?.hash).toBe("h-early");
  expect(b.get("ann", 3000)?.hash).toBe("h-early");
  // Equal times: the same tie-break on both.
  a.applyRemote({ op: "put", claim: claim("h-a", 500) }, 3000);
  b.applyRemote({ op: "put", claim: claim("h-b", 500) }, 3000);
  a.applyRemote({ op: "put", claim: claim("h-b", 500) }, 3000);
  b.applyRemote({ op: "put", claim: claim("h-a", 500) }, 3000);
  expect(a.get("ann", 3000)?.hash).toBe("h-a");
  expect(b.get("ann", 3000)?.hash).toBe("h-a");
});

test("replayed changes are not told again; local ones are", () => {
  const s = ClaimStore.memory();
  const told: string[] = [];
  s.onChange = (c) => told.push(c.op);
  s.applyRemote({ op: "put", claim: claim("h", 1000) }, 2000);
  s.applyRemote({ op: "touch", folded: "ann", at: 5000 }, 5000);
  expect(s.get("ann", 5000)?.lastLogin).toBe(5000);
  // A touch from the past does not move the clock back.
  s.applyRemote({ op: "touch", folded: "ann", at: 1500 }, 5000);
  expect(s.get("ann", 5000)?.lastLogin).toBe(5000);
  expect(told).toEqual([]);
  s.touch("ann", 6000);
  expect(s.remove("ann")).toBe(true);
  expect(told).toEqual(["touch", "remove"]);
  s.applyRemote({ op: "remove", folded: "ann" }, 7000);
  expect(told).toEqual(["touch", "remove"]);
});
