/** SASL and claim helpers for the owned-nick tests. */
import { TestClient } from "../../helpers/irc-client.ts";

export function plainPayload(nick: string, secret: string, authzid = ""): string {
  return Buffer.from(`${authzid}\0${nick}\0${secret}`).toString("base64");
}

/**
 * Register `nick` proving (or claiming) it with SASL PLAIN, the way clients do:
 * CAP LS, NICK, USER, CAP REQ sasl, AUTHENTICATE, CAP END. Resolves with the
 * client once the welcome burst ended, or rejects with the lines seen.
 */
export async function saslClient(
  port: number,
  nick: string,
  secret: string,
  caps: string[] = [],
): Promise<TestClient> {
  const c = await TestClient.connect(port);
  c.send("CAP LS 302");
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :${nick}`);
  c.send(`CAP REQ :${["sasl", ...caps].join(" ")}`);
  await c.expect(/ CAP \S+ ACK /);
  c.send("AUTHENTICATE PLAIN");
  await c.expect(/^AUTHENTICATE \+$/);
  c.send(`AUTHENTICATE ${plainPayload(nick, secret)}`);
  await c.expect(/ 90[34] /);
  c.send("CAP END");
  await c.expect(/ (376|422) /);
  return c;
}
