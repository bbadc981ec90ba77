/**
 * Domain errors. Core actions throw `ChatError` with a code; the IRC front turns
 * it into a numeric in exactly one place (`toNumeric`), and the plain front turns
 * it into a sentence with `error.message`.
 */
import { ERR } from "../protocol/numerics.ts";

const CODES = {
  noSuchNick: [ERR.NOSUCHNICK, "No such nick/channel"],
  noSuchChannel: [ERR.NOSUCHCHANNEL, "No such channel"],
  cannotSendToChan: [ERR.CANNOTSENDTOCHAN, "Cannot send to channel"],
  tooManyChannels: [ERR.TOOMANYCHANNELS, "You have joined too many channels"],
  wasNoSuchNick: [ERR.WASNOSUCHNICK, "There was no such nickname"],
  tooManyTargets: [ERR.TOOMANYTARGETS, "Too many targets"],
  noRecipient: [ERR.NORECIPIENT, "No recipient given"],
  noTextToSend: [ERR.NOTEXTTOSEND, "No text to send"],
  noNicknameGiven: [ERR.NONICKNAMEGIVEN, "No nickname given"],
  erroneusNickname: [ERR.ERRONEUSNICKNAME, "Erroneous nickname"],
  nicknameInUse: [ERR.NICKNAMEINUSE, "Nickname is already in use"],
  userNotInChannel: [ERR.USERNOTINCHANNEL, "They aren't on that channel"],
  notOnChannel: [ERR.NOTONCHANNEL, "You're not on that channel"],
  userOnChannel: [ERR.USERONCHANNEL, "is already on channel"],
  notRegistered: [ERR.NOTREGISTERED, "You have not registered"],
  alreadyRegistered: [ERR.ALREADYREGISTERED, "You may not reregister"],
  passwdMismatch: [ERR.PASSWDMISMATCH, "Password incorrect"],
  youreBannedCreep: [ERR.YOUREBANNEDCREEP, "You are banned from this server"],
  nickTooFast: ["438", "Nick change too fast"],
  targetTooFast: ["439", "Joining and parting too fast"],
  keySet: [ERR.KEYSET, "Channel key already set"],
  channelIsFull: [ERR.CHANNELISFULL, "Cannot join channel (+l)"],
  unknownMode: [ERR.UNKNOWNMODE, "is unknown mode char to me"],
  inviteOnlyChan: [ERR.INVITEONLYCHAN, "Cannot join channel (+i)"],
  bannedFromChan: [ERR.BANNEDFROMCHAN, "Cannot join channel (+b)"],
  badChannelKey: [ERR.BADCHANNELKEY, "Cannot join channel (+k)"],
  badChanMask: [ERR.BADCHANMASK, "Bad Channel Mask"],
  noPrivileges: [ERR.NOPRIVILEGES, "Permission Denied- You're not an IRC operator"],
  chanOpPrivsNeeded: [ERR.CHANOPRIVSNEEDED, "You're not channel operator"],
  noOperHost: [ERR.NOOPERHOST, "No O-lines for your host"],
  umodeUnknownFlag: [ERR.UMODEUNKNOWNFLAG, "Unknown MODE flag"],
  usersDontMatch: [ERR.USERSDONTMATCH, "Cant change mode for other users"],
  invalidKey: [ERR.INVALIDKEY, "Key is not well-formed"],
  invalidModeParam: [ERR.INVALIDMODEPARAM, "Invalid mode parameter"],
} as const;

export type ErrorCode = keyof typeof CODES;

export class ChatError extends Error {
  override name = "ChatError";
  /**
   * @param subject the nick/channel/mode the error is about (the numeric's
   *   middle parameters), e.g. ["#room"] or ["bob", "#room"]
   */
  constructor(
    readonly code: ErrorCode,
    readonly subject: readonly string[] = [],
    text?: string,
  ) {
    super(text ?? CODES[code][1]);
  }
}

/** The single place where domain errors become IRC numerics. */
export function toNumeric(err: ChatError): { numeric: string; params: string[] } {
  return { numeric: CODES[err.code][0], params: [...err.subject, err.message] };
}
