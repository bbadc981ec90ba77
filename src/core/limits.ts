/**
 * Every limit the server enforces, in one place, so tests can build a server with
 * tiny limits and `chat serve` flags can override a few of them.
 */
export interface Limits {
  /** Flood token bucket: lines allowed at once. */
  floodBurst: number;
  /** Flood token bucket: lines per second refilled. */
  floodRate: number;
  /** Lines held back while throttled; beyond this the client is disconnected. */
  floodBacklog: number;
  /** false turns the flood bucket off (benchmarks). */
  floodLimit: boolean;
  /** Send-queue cap per connection, bytes. */
  sendQBytes: number;
  /** Framing limit for one line including tags, bytes. */
  maxLineBytes: number;
  /** Body limit (without tags), bytes, per RFC 1459. */
  maxBodyBytes: number;
  /** Idle time before the server PINGs, ms. */
  pingIdleMs: number;
  /** Time after our PING with no reply before disconnecting, ms. */
  pingTimeoutMs: number;
  /** An IRC client must finish registering within this, ms. */
  registrationTimeoutMs: number;
  /** A human (plain mode) gets longer to pick a nickname, ms. */
  plainRegistrationTimeoutMs: number;
  /** Silence before an undecided connection is treated as a human, ms. */
  plainDetectMs: number;
  /** Housekeeping tick (timeouts, PINGs, plain detection), ms. */
  tickMs: number;
  /** Connections from one address: generous for a household or office behind NAT, not for a bot farm. */
  maxConnectionsPerIp: number;
  /** Wrong server passwords one address may give per window before it is refused (0: no limit). */
  passwordFailuresMax: number;
  passwordFailuresWindowMs: number;
  /** All connections; kept under the 20,000 open-files cap with room for the database and logs. */
  maxConnections: number;
  /** Channels one user may be in. */
  maxChannelsPerUser: number;
  /** Nick changes one registered user may make per `nickChangeWindowMs` (0: no limit). */
  nickChangeMax: number;
  nickChangeWindowMs: number;
  /** JOINs plus PARTs one user may make per `joinPartWindowMs` (0: no limit). */
  joinPartMax: number;
  joinPartWindowMs: number;
  /** Members listed in one NAMES or WHO reply; the rest are summarised in a notice. */
  maxListMembers: number;
  /** Parameter modes applied by one MODE command (ISUPPORT MODES). */
  maxModesPerCommand: number;
  /** Targets in one PRIVMSG/NOTICE/JOIN. */
  maxTargets: number;
  nickLen: number;
  channelLen: number;
  topicLen: number;
  kickLen: number;
  awayLen: number;
  /** Lines of history replayed on JOIN to clients without chathistory. */
  joinHistory: number;
  /** WHOWAS entries remembered. */
  whowasEntries: number;
  /** Real names are cut to this many bytes (ISUPPORT NAMELEN): longer ones pushed WHO replies past 512. */
  realnameLen: number;
  /** Channel key length (+k). */
  keyLen: number;
  /** Bans one room keeps (ISUPPORT MAXLIST b:). */
  maxBansPerRoom: number;
  /** Nicks one MONITOR list may hold (ISUPPORT MONITOR). */
  maxMonitor: number;
  /** Entries one WHO with a mask answers, so `WHO *` cannot flood the asker. */
  whoMaxEntries: number;
  /** Messages (or targets) one CHATHISTORY command returns (ISUPPORT CHATHISTORY). */
  chathistoryMax: number;
  /** Failed OPERs one connection may make before it is disconnected. */
  operTries: number;
  /** OPER attempts one address may make per `operWindowMs`. */
  operAttemptsPerIp: number;
  operWindowMs: number;
  /** Addresses remembered by the per-address tables (password and OPER failures). */
  trackedAddresses: number;
  /** Wrong passwords a plain-text user may type before the connection closes. */
  plainPasswordTries: number;
  /** Idle time before the kernel starts probing a silent peer (TCP keepalive), ms. */
  keepaliveMs: number;
  /** How long a closing connection may take to flush its last words before a hard close, ms. */
  closeGraceMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  floodBurst: 20,
  floodRate: 5,
  floodBacklog: 50,
  floodLimit: true,
  sendQBytes: 1024 * 1024,
  maxLineBytes: 512 + 8191,
  maxBodyBytes: 512,
  pingIdleMs: 120_000,
  pingTimeoutMs: 60_000,
  registrationTimeoutMs: 60_000,
  plainRegistrationTimeoutMs: 300_000,
  plainDetectMs: 1_000,
  tickMs: 250,
  maxConnectionsPerIp: 100,
  passwordFailuresMax: 10,
  passwordFailuresWindowMs: 60_000,
  maxConnections: 19_000,
  maxChannelsPerUser: 50,
  nickChangeMax: 5,
  nickChangeWindowMs: 60_000,
  joinPartMax: 30,
  joinPartWindowMs: 30_000,
  maxListMembers: 1_000,
  maxModesPerCommand: 4,
  maxTargets: 4,
  nickLen: 30,
  channelLen: 50,
  topicLen: 390,
  kickLen: 255,
  awayLen: 200,
  joinHistory: 20,
  whowasEntries: 1_000,
  realnameLen: 128,
  keyLen: 23,
  maxBansPerRoom: 100,
  maxMonitor: 100,
  whoMaxEntries: 500,
  chathistoryMax: 100,
  operTries: 3,
  operAttemptsPerIp: 10,
  operWindowMs: 60_000,
  trackedAddresses: 10_000,
  plainPasswordTries: 3,
  keepaliveMs: 120_000,
  closeGraceMs: 10_000,
});
