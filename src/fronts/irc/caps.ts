/**
 * IRCv3 capabilities this server offers, with their CAP LS 302 values.
 * Other modules add a capability here (e.g. chathistory) when they implement it.
 */
import { MULTILINE_CAP_VALUE } from "./multiline.ts";

export const CAPABILITIES: Record<string, string | undefined> = {
  "message-tags": undefined,
  "server-time": undefined,
  "echo-message": undefined,
  batch: undefined,
  "away-notify": undefined,
  "multi-prefix": undefined,
  "userhost-in-names": undefined,
  "cap-notify": undefined,
  // History (handlers/history.ts): clients that ask get no automatic replay on join.
  // Only the draft name: the work-in-progress spec says implementations MUST NOT
  // offer the unprefixed `chathistory` until the final version defines it.
  "draft/chathistory": undefined,
  // Replies framed per command (front.ts labelOf, replies.ts): ACK, one tagged line, or a batch.
  "labeled-response": undefined,
  // FAIL/WARN/NOTE from one renderer (standard-replies.ts) where a spec defines the codes.
  "standard-replies": undefined,
  // SETNAME (handlers/setname.ts), shown to setname clients sharing a room (delivery.ts).
  setname: undefined,
  // INVITE shown to the room's members with the capability (delivery.ts).
  "invite-notify": undefined,
  // Room events (JOIN, PART, KICK, TOPIC, MODE, QUIT, NICK) in CHATHISTORY batches (core/playback.ts).
  "draft/event-playback": undefined,
  // REDACT (handlers/redact.ts): history forgets the message on every node.
  "draft/message-redaction": undefined,
  // RENAME (handlers/rename.ts); clients without it see PART and JOIN.
  "draft/channel-rename": undefined,
  // MONITOR (handlers/monitor.ts) also reports AWAY of watched nicks to away-notify clients.
  "extended-monitor": undefined,
  // MARKREAD (handlers/read-marker.ts), kept in the store.
  "draft/read-marker": undefined,
  // Client BATCH draft/multiline (multiline.ts, handlers/batch.ts); needs batch.
  "draft/multiline": MULTILINE_CAP_VALUE,
  // SEARCH (handlers/search.ts): full-text search of the history one may read.
  "soju.im/search": undefined,
};
