import { expect, test } from "bun:test";
import { toServeConfig } from "../../../src/cli/serve-config.ts";

test("--redis takes redis:// and rediss:// URLs, or CHAT_REDIS from the environment", () => {
  expect(toServeConfig({ redis: "redis://127.0.0.1:6379" }, {}).redis).toBe(
    "redis://127.0.0.1:6379",
  );
  expect(toServeConfig({ redis: "rediss://u:p@db.example:6380/2" }, {}).redis).toBe(
    "rediss://u:p@db.example:6380/2",
  );
  expect(toServeConfig({}, { CHAT_REDIS: "redis://10.0.0.5:6379" }).redis).toBe(
    "redis://10.0.0.5:6379",
  );
  // The flag wins over the environment.
  expect(toServeConfig({ redis: "redis://a:1" }, { CHAT_REDIS: "redis://b:2" }).redis).toBe(
    "redis://a:1",
  );
  expect(toServeConfig({}, {}).redis).toBeUndefined();
});

test("a bad --redis URL is a usage error that shows the expected form", () => {
  for (const bad of ["127.0.0.1:6379", "http://127.0.0.1:6379", "redis://", "not a url"]) {
    expect(() => toServeConfig({ redis: bad }, {})).toThrow(
      /--redis must be redis:\/\/\[user:pass@\]host:port/,
    );
  }
});

test("--reuse-port needs --redis", () => {
  expect(() => toServeConfig({ "reuse-port": true }, {})).toThrow(/--reuse-port needs --redis/);
  expect(toServeConfig({ "reuse-port": true, redis: "redis://127.0.0.1:1" }, {}).reusePort).toBe(
    true,
  );
});

test("--node-ttl takes 1 to 3600 seconds, only with --redis", () => {
  const redis = "redis://127.0.0.1:1";
  expect(toServeConfig({ "node-ttl": "3", redis }, {}).nodeTtlSeconds).toBe(3);
  expect(toServeConfig({ redis }, {}).nodeTtlSeconds).toBeUndefined();
  for (const bad of ["0", "-1", "1.5", "soon", "3601"]) {
    expect(() => toServeConfig({ "node-ttl": bad, redis }, {})).toThrow(/--node-ttl must be/);
  }
  expect(() => toServeConfig({ "node-ttl": "3" }, {})).toThrow(/--node-ttl needs --redis/);
});
