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
  // MARKREAD (handlers/read-marker.ts), kept in the store.
  "draft/read-marker": undefined,
  // Client BATCH draft/multiline (multiline.ts, handlers/batch.ts); needs batch.
  "draft/multiline": MULTILINE_CAP_VALUE,
  // SEARCH (handlers/search.ts): full-text search of the history one may read.
  "soju.im/search": undefined,
};
