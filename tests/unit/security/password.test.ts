import { describe, expect, test } from "bun:test";
import { OperCredentials, passwordAccepted, secretsEqual } from "../../../src/security/password.ts";

describe("server password", () => {
  test("equal secrets match, different ones (including length) do not", () => {
    expect(secretsEqual("s3cret", "s3cret")).toBe(true);
    expect(secretsEqual("s3cret", "s3creT")).toBe(false);
    expect(secretsEqual("s3cret", "s3cret-longer")).toBe(false);
    expect(secretsEqual("", "")).toBe(true);
  });

  test("no password configured admits everyone; otherwise missing or wrong is refused", () => {
    expect(passwordAccepted(undefined, undefined)).toBe(true);
    expect(passwordAccepted(undefined, "anything")).toBe(true);
    expect(passwordAccepted("pw", "pw")).toBe(true);
    expect(passwordAccepted("pw", "PW")).toBe(false);
    expect(passwordAccepted("pw", undefined)).toBe(false);
    expect(passwordAccepted("pw", "")).toBe(false);
  });
});

describe("operator credentials", () => {
  const creds = new OperCredentials([
    { name: "root", password: "hunter2" },
    { name: "mod", password: "pa:ss" },
  ]);

  test("only the right name with the right password logs in", async () => {
    expect(await creds.verify("root", "hunter2")).toBe(true);
    expect(await creds.verify("mod", "pa:ss")).toBe(true);
    expect(await creds.verify("root", "pa:ss")).toBe(false);
    expect(await creds.verify("nobody", "hunter2")).toBe(false);
    expect(creds.verifySync("root", "hunter2")).toBe(true);
    expect(creds.verifySync("root", "")).toBe(false);
  });

  test("the decoy is made on the first check: concurrent first checks and a sync first check agree", async () => {
    // Fresh objects: the decoy hash does not exist yet when these run.
    const a = new OperCredentials([{ name: "root", password: "hunter2" }]);
    expect(await Promise.all([a.verify("nobody", "x"), a.verify("root", "hunter2")])).toEqual([
      false,
      true,
    ]);
    expect(a.verifySync("nobody", "x")).toBe(false);
    const b = new OperCredentials([]);
    expect(b.verifySync("root", "hunter2")).toBe(false);
    expect(await b.verify("root", "hunter2")).toBe(false);
  });

  test("the plain passwords are not kept in the object", () => {
    expect(JSON.stringify(Object.values(creds))).not.toContain("hunter2");
    expect(Bun.inspect(creds)).not.toContain("hunter2");
  });
});
