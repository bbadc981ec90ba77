/**
 * `chat join` marks owned nicks with a ✓ in the member list (issue 13: "chat
 * join marks owned nicks with a ✓"), not only in /whois: the list shown on
 * joining, /names later, and an owner who proves their nick while we watch.
 */
import { afterAll, beforeAll, test } from "bun:test";
import { TestClient } from "../../helpers/irc-client.ts";
import { plainPayload, saslClient } from "../../integration/accounts/helpers.ts";
import {
  ensureBinary,
  makeHome,
  type PtyClient,
  type ServerProc,
  spawnPty,
  startServer,
} from "./harness.ts";

const home = makeHome();
let client: PtyClient | undefined;
let server: ServerProc | undefined;
const others: TestClient[] = [];

beforeAll(() => {
  ensureBinary();
}, 120_000);

afterAll(async () => {
  client?.kill();
  for (const o of others) o.close();
  await server?.stop();
  home.cleanup();
});

async function inLobby(c: TestClient, nick: string): Promise<void> {
  c.send("JOIN #lobby");
  await c.expect(new RegExp(`:${nick}!\\S+ JOIN #lobby`));
}

test("owners carry a ✓ in the member list; others do not", async () => {
  server = await startServer(home.env);
  const port = server.port;
  const owner = await saslClient(port, "olga", "olga-long-secret");
  others.push(owner);
  await inLobby(owner, "olga");
  const plain = await TestClient.connect(port);
  others.push(plain);
  plain.send("NICK ursula");
  plain.send("USER u 0 * :u");
  await plain.expect(/ 001 ursula /);
  await inLobby(plain, "ursula");

  client = spawnPty(["join", `127.0.0.1:${port}`, "--nick", "petra"], home.env, 120);
  // The list shown on arrival: chat join claimed petra, olga proved hers.
  await client.waitFor(/\* in #lobby: .*olga✓/);
  await client.waitFor(/\* in #lobby: .*petra✓/);
  await client.waitFor(/\* in #lobby: .*ursula(?!✓)/);

  // ursula claims her nick while petra watches (account-notify), then /names shows it.
  plain.send("REGISTER * * ursula-long-secret");
  await plain.expect(/ REGISTER SUCCESS ursula /);
  const late = await TestClient.connect(port);
  others.push(late);
  late.send("CAP LS 302");
  late.send("NICK vera");
  late.send("USER v 0 * :v");
  late.send("CAP REQ :sasl");
  await late.expect(/ CAP \S+ ACK /);
  late.send("AUTHENTICATE PLAIN");
  await late.expect(/^AUTHENTICATE \+$/);
  late.send(`AUTHENTICATE ${plainPayload("vera", "vera-long-secret")}`);
  await late.expect(/ 903 /);
  late.send("CAP END");
  await late.expect(/ 001 vera /);
  // vera joins already owning her nick (extended-join names the account).
  await inLobby(late, "vera");
  await client.waitFor("* vera joined #lobby");
  client.type("/names\r");
  await client.waitFor(/\* in #lobby: (?=.*ursula✓)(?=.*vera✓)(?=.*olga✓)/);
}, 30_000);
