/**
 * WsHub over a real Bun.serve: the pieces the room tests cannot force. Several
 * members left out of one publish (the sender and a session whose output a
 * command is capturing) all miss it and all get the next one, in order with
 * their own bytes.
 */
import { afterEach, expect, test } from "bun:test";
import type { Server, ServerWebSocket } from "bun";
import { FlushScheduler } from "../../../src/transport/output.ts";
import { HubMember, WsHub } from "../../../src/transport/ws-fanout.ts";
import { WsClient } from "../../helpers/ws-client.ts";

let server: Server<undefined> | undefined;
const clients: WsClient[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  void server?.stop(true);
  server = undefined;
});

const enc = new TextEncoder();

test("every member left out misses the publish and gets the next, in order with its own bytes", async () => {
  const scheduler = new FlushScheduler();
  const hub = new WsHub(scheduler, 1 << 20, 100);
  const opened: ServerWebSocket<undefined>[] = [];
  server = Bun.serve<undefined>({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response("no")),
    websocket: { open: (ws) => void opened.push(ws), message() {} },
  });
  hub.attach(server);
  for (let i = 0; i < 4; i++) {
    clients.push(await WsClient.connect(`ws://127.0.0.1:${server.port}/`));
  }
  for (let i = 0; i < 50 && opened.length < 4; i++) await Bun.sleep(10);
  const members = opened.map((ws) => new HubMember(hub, ws, false, () => {}));
  for (const m of members) hub.join(m);
  const room = {};
  for (const m of members) m.enter(room, 0);

  hub.publish(room, 0, enc.encode("one\r\n"), [members[0], members[1], members[2]] as HubMember[]);
  hub.send(members[1] as HubMember, enc.encode("own\r\n"));
  hub.publish(room, 0, enc.encode("two\r\nthree\r\n"), []);
  for (const c of clients) await c.expect("three");
  expect(clients.map((c) => c.lines)).toEqual([
    ["two", "three"],
    ["own", "two", "three"],
    ["two", "three"],
    ["one", "two", "three"],
  ]);
});
