/**
 * The single place where the core's refusals become IRC numerics.
 */

import type { ChatError, ErrorCode } from "../../core/api.ts";
import { ERR, type Numeric } from "../../protocol/numerics.ts";

const NUMERIC: Record<ErrorCode, Numeric> = {
  noSuchNick: ERR.NOSUCHNICK,
  noSuchChannel: ERR.NOSUCHCHANNEL,
  cannotSendToChan: ERR.CANNOTSENDTOCHAN,
  tooManyChannels: ERR.TOOMANYCHANNELS,
  wasNoSuchNick: ERR.WASNOSUCHNICK,
  tooManyTargets: ERR.TOOMANYTARGETS,
  noRecipient: ERR.NORECIPIENT,
  noTextToSend: ERR.NOTEXTTOSEND,
  noNicknameGiven: ERR.NONICKNAMEGIVEN,
  erroneusNickname: ERR.ERRONEUSNICKNAME,
  nicknameInUse: ERR.NICKNAMEINUSE,
  userNotInChannel: ERR.USERNOTINCHANNEL,
  notOnChannel: ERR.NOTONCHANNEL,
  userOnChannel: ERR.USERONCHANNEL,
  notRegistered: ERR.NOTREGISTERED,
  alreadyRegistered: ERR.ALREADYREGISTERED,
  passwdMismatch: ERR.PASSWDMISMATCH,
  youreBannedCreep: ERR.YOUREBANNEDCREEP,
  nickTooFast: ERR.NICKTOOFAST,
  targetTooFast: ERR.TARGETTOOFAST,
  keySet: ERR.KEYSET,
  channelIsFull: ERR.CHANNELISFULL,
  unknownMode: ERR.UNKNOWNMODE,
  inviteOnlyChan: ERR.INVITEONLYCHAN,
  bannedFromChan: ERR.BANNEDFROMCHAN,
  badChannelKey: ERR.BADCHANNELKEY,
  badChanMask: ERR.BADCHANMASK,
  noPrivileges: ERR.NOPRIVILEGES,
  chanOpPrivsNeeded: ERR.CHANOPRIVSNEEDED,
  noOperHost: ERR.NOOPERHOST,
  umodeUnknownFlag: ERR.UMODEUNKNOWNFLAG,
  usersDontMatch: ERR.USERSDONTMATCH,
  invalidKey: ERR.INVALIDKEY,
  invalidModeParam: ERR.INVALIDMODEPARAM,
  // A claimed nick is "in use" to anyone who has not proved it; front.ts adds a NOTE saying how.
  nickClaimed: ERR.NICKNAMEINUSE,
  notLoggedIn: ERR.SASLFAIL,
  notClaimed: ERR.NOSUCHNICK,
};

export function toNumeric(err: ChatError): { numeric: Numeric; params: string[] } {
  return { numeric: NUMERIC[err.code], params: [...err.subject, err.message] };
}
