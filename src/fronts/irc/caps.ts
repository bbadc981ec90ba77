/**
 * IRCv3 capabilities this server offers, with their CAP LS 302 values.
 * Other modules add a capability here (e.g. chathistory) when they implement it.
 */
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
  // Owned nicks (handlers/accounts.ts): the nick is the account name.
  sasl: "PLAIN,EXTERNAL",
  "account-tag": undefined,
  "account-notify": undefined,
  "extended-join": undefined,
  "draft/account-registration": "before-connect",
};
