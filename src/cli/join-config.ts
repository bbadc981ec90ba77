/** `chat join` flags and the pure check that turns them into a JoinConfig. */

import { isValidNick } from "../protocol/text.ts";
import {
  type HostPort,
  lastString,
  parseFingerprint,
  parseHostPort,
  type RawArgs,
  roomToChannel,
} from "./options.ts";
import { UsageError } from "./usage-error.ts";

export interface JoinConfig extends HostPort {
  nick?: string;
  /** Channel name with its prefix, e.g. "#lobby". */
  channel: string;
  password?: string;
  tls: boolean;
  /** Lower-case hex SHA-256 of the server certificate, without colons. */
  fingerprint?: string;
  insecure: boolean;
  json: boolean;
  /** Bell and desktop notification (OSC 9/777) for mentions and private lines. */
  notify: boolean;
  /** Send stdin, print nothing but errors, exit once delivery is confirmed. */
  once: boolean;
}

export const joinArgs = {
  address: {
    type: "positional",
    description: "Server as HOST[:PORT] (port 6667 by default; IPv6 as [::1]:6667)",
    required: false,
  },
  nick: {
    type: "string",
    description: "Nickname to use (or set CHAT_NICK; default: your login name)",
  },
  room: { type: "string", description: "Room to join; a bare name means #name", default: "lobby" },
  password: { type: "string", description: "Server password (or set CHAT_PASSWORD)" },
  tls: { type: "boolean", description: "Connect with TLS" },
  fp: { type: "string", description: "Expected server certificate fingerprint, SHA256:HEX" },
  insecure: { type: "boolean", description: "Skip TLS certificate checks" },
  json: { type: "boolean", description: "Print one JSON object per event (for scripts)" },
  once: {
    type: "boolean",
    description:
      "Send stdin to the room, print only errors, and exit when the server has taken every line",
  },
  notify: {
    type: "boolean",
    description:
      "Ring and raise a desktop notification for mentions and private lines (--no-notify: off)",
    default: true,
  },
} as const;

export function toJoinConfig(args: RawArgs, env: Record<string, string | undefined>): JoinConfig {
  const address = lastString(args.address);
  if (address === undefined)
    throw new UsageError("missing HOST[:PORT], for example: chat join 192.168.1.20:6667");
  const hp = parseHostPort(address);
  const config: JoinConfig = {
    ...hp,
    channel: roomToChannel(lastString(args.room) ?? "lobby"),
    tls: args.tls === true || args.fp !== undefined,
    insecure: args.insecure === true,
    json: args.json === true,
    notify: args.notify !== false,
    once: args.once === true,
  };
  const nick = lastString(args.nick) ?? env.CHAT_NICK;
  if (nick !== undefined && nick !== "") {
    if (!isValidNick(nick)) {
      throw new UsageError(
        `--nick ${JSON.stringify(nick)} is not a valid nickname: use letters, digits and - _ [ ] { } | ^ \` (max 30), not starting with a digit or -`,
      );
    }
    config.nick = nick;
  }
  const password = lastString(args.password) ?? env.CHAT_PASSWORD;
  if (password !== undefined && password !== "") config.password = password;
  const fp = lastString(args.fp);
  if (fp !== undefined) config.fingerprint = parseFingerprint(fp);
  return config;
}
