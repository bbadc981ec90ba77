import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { LineClient, startServer, type TestServer } from "./harness.ts";

let srv: TestServer;
const clients: LineClient[] = [];

async function person(nick: string): Promise<LineClient> {
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  await c.waitFor("Pick a nickname");
  c.send(nick);
  return c;
}

beforeAll(() => {
  srv = startServer();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await srv.stop();
});

describe("owned nicks on nc", () => {
  test("a free nick is told about /claim; /claim keeps it, and next time it asks for the secret", async () => {
    const a = await person("nora");
    await a.waitFor("*** Hello nora! Type /help for commands.");
    await a.waitFor(
      /nora is yours while you are here\. To keep it for next time, type \/claim SECRET/,
    );
    a.send("/claim nora's long secret");
    await a.waitFor("*** You now own nora ✓.");
    a.send("/who");
    await a.waitFor(/in #lobby: .*nora✓/);
    a.send("/quit");
    await a.waitFor("*** Bye!");

    const b = await person("nora");
    await b.waitFor(
      "*** nora is claimed by its owner. If it is yours, type its secret; otherwise type /nick ANOTHER:",
    );
    b.send("nora's long secret");
    await b.waitFor("*** Hello nora ✓!");
    b.send("hello from the owner");
    const watcher = await person("owen");
    await watcher.waitFor("*** Hello owen!");
    b.send("second line");
    await watcher.waitFor(/<nora> second line$/);
    watcher.send("/who");
    await watcher.waitFor(/in #lobby: .*nora✓/);
  });

  test("three wrong secrets, then another nick; the secret is never echoed or logged", async () => {
    const a = await person("pat");
    await a.waitFor("*** Hello pat!");
    a.send("/claim pat-secret-phrase");
    await a.waitFor("*** You now own pat");
    const b = await person("pat");
    await b.waitFor("is claimed by its owner");
    b.send("guess-one-wrong");
    await b.waitFor("*** Wrong secret (2 tries left). Secret, or /nick ANOTHER:");
    b.send("guess-two-wrong");
    await b.waitFor("*** Wrong secret (1 try left).");
    b.send("guess-three-wrong");
    await b.waitFor("*** That was the last try. Pick another nickname:");
    b.send("pat");
    await b.waitFor("is claimed by its owner");
    b.send("/nick patty");
    await b.waitFor("*** Hello patty!");
    expect(b.lines.join("\n")).not.toContain("guess-");
    expect(srv.logs.join("\n")).not.toContain("guess-");
    expect(srv.logs.join("\n")).not.toContain("pat-secret-phrase");
  });

  test("the owner coming back takes the nick from their stale session", async () => {
    const a = await person("quinn");
    await a.waitFor("*** Hello quinn!");
    a.send("/claim quinn-secret-phrase");
    await a.waitFor("*** You now own quinn");
    const b = await person("quinn");
    await b.waitFor("is claimed by its owner");
    b.send("quinn-secret-phrase");
    await b.waitFor("*** Hello quinn ✓!");
    await a.waitFor("*** You reconnected elsewhere.");
  });

  test("/unclaim gives the nick up; /claim with a short secret says why", async () => {
    const a = await person("rita");
    await a.waitFor("*** Hello rita!");
    a.send("/claim short");
    await a.waitFor("*** Cannot claim rita: a secret must be at least 8 characters.");
    a.send("/unclaim");
    await a.waitFor("*** You have not claimed a nick, so there is nothing to drop.");
    a.send("/claim rita-secret-phrase");
    await a.waitFor("*** You now own rita");
    a.send("/unclaim");
    await a.waitFor("*** You no longer own rita");
    a.send("/quit");
    await a.waitFor("*** Bye!");
    const b = await person("rita");
    await b.waitFor("*** Hello rita!");
  });

  test("a private message to an offline owner is kept, and the sender told so", async () => {
    const a = await person("sam");
    await a.waitFor("*** Hello sam!");
    a.send("/claim sam-secret-phrase");
    await a.waitFor("*** You now own sam");
    a.send("/quit");
    await a.waitFor("*** Bye!");
    const b = await person("tess");
    await b.waitFor("*** Hello tess!");
    b.send("/msg sam see you later");
    await b.waitFor(
      "*** sam is offline; your message is kept and delivered when they next log in.",
    );
    b.send("/msg nobodyhere hi");
    await b.waitFor("There is no one called nobodyhere here.");
    const back = await person("sam");
    await back.waitFor("is claimed by its owner");
    back.send("sam-secret-phrase");
    await back.waitFor("*tess* see you later");
  });
});

describe("owned nicks on nc behind a server password", () => {
  test("after the password, a claimed nick is proved with its secret", async () => {
    const locked = startServer({ password: "sesame" });
    try {
      const enter = async (nick: string): Promise<LineClient> => {
        const c = await LineClient.connect(locked.port);
        clients.push(c);
        await c.waitFor("This server has a password. Password?");
        c.send("sesame");
        await c.waitFor("Pick a nickname");
        c.send(nick);
        return c;
      };
      const a = await enter("quin");
      await a.waitFor("*** Hello quin!");
      a.send("/claim quin's long secret");
      await a.waitFor("*** You now own quin ✓.");
      a.send("/quit");
      await a.waitFor("*** Bye!");
      const b = await enter("quin");
      await b.waitFor("is claimed by its owner");
      b.send("quin's long secret");
      await b.waitFor("*** Hello quin ✓!");
    } finally {
      await locked.stop();
    }
  });
});

describe("the ✓ on nc's list of who is here", () => {
  test("arriving in a room, owners carry a ✓ and others do not", async () => {
    const a = await person("rhea");
    await a.waitFor("*** Hello rhea!");
    a.send("/claim rhea's long secret");
    await a.waitFor("*** You now own rhea ✓.");
    const b = await person("saul");
    await b.waitFor(/\*\*\* You are in #lobby now, with \d+ here: .*rhea✓/);
    const c = await person("tess");
    await c.waitFor(/\*\*\* You are in #lobby now, with \d+ here: .*saul(?!✓)/);
  });
});
