import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaimStore } from "../../../src/store/claims.ts";
import { SqliteStore } from "../../../src/store/sqlite.ts";
import { TestClient } from "../../helpers/irc-client.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { plainPayload, saslClient } from "./helpers.ts";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("REGISTER (draft/account-registration)", () => {
  test("REGISTER * * SECRET claims the current nick, which SASL then proves", async () => {
    t = await startTestServer();
    const c = await t.client("dave");
    c.send("REGISTER * * dave-secret-1");
    await c.expect(/ REGISTER SUCCESS dave :/);
    c.send("WHOIS dave");
    await c.expect(/ 330 dave dave dave :is logged in as/);
    c.close();
    const again = await saslClient(t.port, "dave", "dave-secret-1");
    again.send("WHOIS dave");
    await again.expect(/ 330 dave dave dave /);
    again.close();
  });

  test("before registration too: REGISTER after NICK, then CAP END welcomes the owner", async () => {
    t = await startTestServer();
    const c = await TestClient.connect(t.port);
    c.send("CAP LS 302");
    c.send("NICK erin");
    c.send("USER erin 0 * :erin");
    c.send("REGISTER erin * erin-secret-1");
    await c.expect(/ REGISTER SUCCESS erin /);
    c.send("CAP END");
    await c.expect(/ 001 erin /);
    c.close();
  });

  test("a claimed nick, another name, a weak secret: each a FAIL with its code, connection kept", async () => {
    t = await startTestServer();
    const owner = await t.client("frank");
    owner.send("REGISTER * * frank-secret-1");
    await owner.expect(/ REGISTER SUCCESS /);
    const c = await t.client("frank2");
    c.send("REGISTER someone * frank-secret-2");
    // The spec's own code for a name other than the nick (no custom-account-name).
    await c.expect(
      /FAIL REGISTER ACCOUNT_NAME_MUST_BE_NICK someone :The account name is your nick/,
    );
    c.send("REGISTER * * short");
    await c.expect(/FAIL REGISTER WEAK_PASSWORD \* :.*at least 8 characters/);
    owner.send("NICK frank_");
    await owner.expect(/ NICK :?frank_/);
    // Claimed, though nobody holds it: REGISTER cannot be used to take it.
    c.send("NICK frank");
    await c.expect(/ 433 frank2 frank /);
    c.send("REGISTER frank * another-secret");
    await c.expect(/FAIL REGISTER ACCOUNT_NAME_MUST_BE_NICK frank /);
    const pre = await TestClient.connect(t.port);
    pre.send("NICK frank");
    pre.send("REGISTER * * another-secret");
    await pre.expect(/FAIL REGISTER ACCOUNT_EXISTS \* :frank is already claimed/);
    c.send("PING :alive");
    await c.expect(/PONG/);
    for (const x of [owner, c, pre]) x.close();
  });

  test("REGISTER while logged in is ALREADY_AUTHENTICATED; without a nick NEED_NICK", async () => {
    t = await startTestServer();
    const a = await saslClient(t.port, "gina", "gina-secret-1");
    a.send("REGISTER * * gina-secret-2");
    await a.expect(/FAIL REGISTER ALREADY_AUTHENTICATED \* :You are already logged in as gina/);
    a.close();
    const b = await TestClient.connect(t.port);
    b.send("REGISTER * * some-secret-1");
    await b.expect(/FAIL REGISTER NEED_NICK \* :/);
    b.close();
  });
});

describe("dropping claims", () => {
  test("UNCLAIM frees the nick for anyone once its owner leaves", async () => {
    t = await startTestServer();
    const a = await saslClient(t.port, "hank", "hank-secret-1");
    a.send("UNCLAIM");
    await a.expect(/ 901 hank /);
    a.send("UNCLAIM");
    await a.expect(/FAIL UNCLAIM NOT_LOGGED_IN :/);
    a.close();
    await Bun.sleep(50);
    const b = await saslClient(t.port, "hank", "someone-else");
    b.send("WHOIS hank");
    await b.expect(/ 330 hank hank hank /);
    b.close();
  });

  test("RELEASE is for operators; it drops the claim and logs the owner out", async () => {
    const { OperCredentials } = await import("../../../src/security/password.ts");
    t = await startTestServer({
      opers: new OperCredentials([{ name: "root", password: "toor" }]).logins(),
    });
    const owner = await saslClient(t.port, "ivan", "ivan-secret-1", ["account-notify"]);
    const op = await t.client("op");
    op.send("RELEASE ivan");
    await op.expect(/ 481 op /);
    op.send("OPER root toor");
    await op.expect(/ 381 /);
    op.send("RELEASE IVAN");
    await op.expect(/NOTICE op :Released the claim on ivan/);
    op.send("RELEASE nobody");
    await op.expect(/ 401 op nobody :nobody is not claimed/);
    owner.send("WHOIS ivan");
    await owner.expect(/ 318 /);
    expect(owner.drain().some((l) => / 330 /.test(l))).toBe(false);
    owner.close();
    op.close();
  });
});

describe("claims in the database", () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-claims-srv-"));

  test("a claim survives a restart of the server on the same database", async () => {
    const path = join(dir, "restart.db");
    for (let round = 0; round < 2; round++) {
      const claims = ClaimStore.open(path, 90);
      t = await startTestServer({ store: new SqliteStore({ path, history: 100 }), claims });
      if (round === 0) {
        const a = await saslClient(t.port, "judy", "judy-secret-1");
        a.close();
      } else {
        const c = await TestClient.connect(t.port);
        c.send("NICK judy");
        c.send("USER j 0 * :j");
        await c.expect(/ 433 \* judy :Nickname judy is claimed/);
        c.close();
        const owner = await saslClient(t.port, "judy", "judy-secret-1");
        expect(owner.lines.some((l) => / 903 /.test(l))).toBe(true);
        owner.close();
      }
      await t.stop();
      t = undefined;
      claims.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("a claim expires after --claim-days without a login (injected clock)", async () => {
    let now = Date.UTC(2026, 0, 1);
    const claims = ClaimStore.memory(2);
    t = await startTestServer({ claims, now: () => now });
    const a = await saslClient(t.port, "kate", "kate-secret-1");
    a.close();
    now += 1 * 86_400_000;
    const b = await saslClient(t.port, "kate", "kate-secret-1");
    expect(b.lines.some((l) => / 903 /.test(l))).toBe(true);
    b.close();
    now += 2 * 86_400_000 + 1;
    // Expired: anyone may use the nick, and claim it with their own secret.
    const c = await saslClient(t.port, "kate", "new-owner-secret");
    expect(c.lines.some((l) => / 903 /.test(l))).toBe(true);
    c.close();
    const d = await TestClient.connect(t.port);
    d.send("CAP LS 302");
    d.send("NICK kate2");
    d.send("USER k 0 * :k");
    d.send("CAP REQ sasl");
    await d.expect(/ ACK /);
    d.send("AUTHENTICATE PLAIN");
    await d.expect(/AUTHENTICATE \+/);
    d.send(`AUTHENTICATE ${plainPayload("kate", "kate-secret-1")}`);
    await d.expect(/ 904 .*Wrong secret for kate/);
    d.close();
    claims.close();
  });
});
