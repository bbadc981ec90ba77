/**
 * The web server: Bun.serve with the page and IRC over WebSocket at `/` (and
 * `/webirc`, for clients that want a path of their own). It runs either on a
 * dedicated port (`--web-port`) or on 127.0.0.1 behind the main port's
 * sniffing listener; there it trusts only the pipes that listener opened, to
 * learn each browser's real address.
 */
import type { Server } from "bun";
import type { Acceptor } from "../transport/conn.ts";
import type { FlushScheduler } from "../transport/output.ts";
import type { PipeAddresses } from "../transport/web-pipe.ts";
import {
  BINARY_PROTOCOL,
  chooseProtocol,
  type WsData,
  type WsOptions,
  wsHandlers,
} from "../transport/websocket.ts";
import { WsHub } from "../transport/ws-fanout.ts";
import { pageAssets } from "./assets.ts";
import { SECURITY_HEADERS, textResponse } from "./headers.ts";
import { originAllowed } from "./origin.ts";

export interface WebServerOptions extends WsOptions {
  hostname: string;
  port: number;
  /** Behind the main port: the real address of each pipe. Absent on a dedicated port. */
  pipes?: PipeAddresses;
  /** Serve https (dedicated port only; behind the main port TLS is already undone). */
  tls?: { cert: string; key: string };
  /** Origins allowed besides the page's own (`*`: any). */
  origins: readonly string[];
}

export interface WebServer {
  readonly hostname: string;
  readonly port: number;
  stop(): void;
}

/** Paths where a WebSocket upgrade is IRC. */
const WS_PATHS: ReadonlySet<string> = new Set(["/", "/webirc"]);

export function startWebServer(
  opts: WebServerOptions,
  accept: Acceptor,
  scheduler: FlushScheduler,
): WebServer {
  const assets = pageAssets();
  // Topics are per Bun.serve server: each server has its own hub. Behind the
  // pipe, Bun writes each published frame to each pipe on its own, and every
  // write costs the pipe a read and a write in JS: there a socket's room
  // messages go per member instead, corked into one write per flush
  // (bench/findings.md, "WebSocket fan-out by Bun's topics").
  const hub = new WsHub(scheduler, opts.sendQBytes, opts.closeGraceMs, opts.pipes === undefined);
  const server: Server<WsData> = Bun.serve<WsData>({
    hostname: opts.hostname,
    port: opts.port,
    development: false,
    ...(opts.tls ? { tls: opts.tls } : {}),
    fetch(req, srv) {
      const remote = clientAddress(req, srv, opts.pipes);
      if (remote === undefined) {
        return textResponse(403, "this port only serves the chat server's own listener");
      }
      const url = new URL(req.url);
      if (req.headers.get("upgrade")?.toLowerCase() === "websocket" && WS_PATHS.has(url.pathname)) {
        if (!originAllowed(req.headers.get("origin"), req.headers.get("host"), opts.origins)) {
          return textResponse(
            403,
            "this page's origin may not connect; the server's host can allow it with --web-origin",
          );
        }
        const protocol = chooseProtocol(req.headers.get("sec-websocket-protocol"));
        const headers: Record<string, string> = { ...SECURITY_HEADERS };
        if (protocol !== undefined) headers["Sec-WebSocket-Protocol"] = protocol;
        const data: WsData = { remoteAddress: remote, binary: protocol === BINARY_PROTOCOL };
        if (srv.upgrade(req, { data, headers })) return undefined;
        return textResponse(400, "bad WebSocket upgrade request");
      }
      const asset = assets.get(url.pathname);
      if (asset === undefined) return textResponse(404, "not found");
      if (req.method !== "GET" && req.method !== "HEAD") {
        return textResponse(405, "only GET and HEAD are served here");
      }
      return new Response(req.method === "HEAD" ? null : asset.body, {
        headers: { ...SECURITY_HEADERS, "Content-Type": asset.type, "Cache-Control": "no-cache" },
      });
    },
    websocket: wsHandlers(accept, hub, opts),
  });
  hub.attach(server);
  return {
    hostname: server.hostname ?? opts.hostname,
    port: server.port ?? opts.port,
    stop() {
      void server.stop(true);
    },
  };
}

/** The browser's address: from the pipe behind the main port, or the socket itself. */
function clientAddress(
  req: Request,
  srv: Server<WsData>,
  pipes: PipeAddresses | undefined,
): string | undefined {
  const peer = srv.requestIP(req);
  if (peer === null) return undefined;
  if (pipes === undefined) return peer.address;
  return pipes.get(peer.port);
}
