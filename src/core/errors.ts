/**
 * Domain errors. Core actions throw `ChatError` with a code; the IRC front
 * turns the code into a numeric at its edge (fronts/irc/errors.ts) and the
 * plain front into a sentence.
 */

/** Every refusal the core can give, with the text a user reads by default. */
const MESSAGES = {
  noSuchNick: "No such nick/channel",
  noSuchChannel: "No such channel",
  cannotSendToChan: "Cannot send to channel",
  tooManyChannels: "You have joined too many channels",
  wasNoSuchNick: "There was no such nickname",
  tooManyTargets: "Too many targets",
  noRecipient: "No recipient given",
  noTextToSend: "No text to send",
  noNicknameGiven: "No nickname given",
  erroneusNickname: "Erroneous nickname",
  nicknameInUse: "Nickname is already in use",
  userNotInChannel: "They aren't on that channel",
  notOnChannel: "You're not on that channel",
  userOnChannel: "is already on channel",
  notRegistered: "You have not registered",
  alreadyRegistered: "You may not reregister",
  passwdMismatch: "Password incorrect",
  youreBannedCreep: "You are banned from this server",
  nickTooFast: "Nick change too fast",
  targetTooFast: "Joining and parting too fast",
  keySet: "Channel key already set",
  channelIsFull: "Cannot join channel (+l)",
  unknownMode: "is unknown mode char to me",
  inviteOnlyChan: "Cannot join channel (+i)",
  bannedFromChan: "Cannot join channel (+b)",
  badChannelKey: "Cannot join channel (+k)",
  badChanMask: "Bad Channel Mask",
  noPrivileges: "Permission Denied- You're not an IRC operator",
  chanOpPrivsNeeded: "You're not channel operator",
  noOperHost: "No O-lines for your host",
  umodeUnknownFlag: "Unknown MODE flag",
  usersDontMatch: "Cant change mode for other users",
  invalidKey: "Key is not well-formed",
  invalidModeParam: "Invalid mode parameter",
  nickClaimed: "Nickname is claimed by its owner",
  notLoggedIn: "You have not claimed a nick",
  notClaimed: "That nick is not claimed",
} as const;

export type ErrorCode = keyof typeof MESSAGES;

export class ChatError extends Error {
  override name = "ChatError";
  /**
   * @param subject the nick/channel/mode the error is about (an IRC numeric's
   *   middle parameters), e.g. ["#room"] or ["bob", "#room"]
   * @param text what the user reads, when not the default for the code
   */
  constructor(
    readonly code: ErrorCode,
    readonly subject: readonly string[] = [],
    text?: string,
  ) {
    super(text ?? MESSAGES[code]);
  }
}
