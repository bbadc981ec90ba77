/**
 * HELP topics: one short entry per command, the first line its syntax. The
 * index a bare HELP shows is made from the topics, so a new topic is listed.
 */
const TOPICS: Readonly<Record<string, readonly string[]>> = {
  AUTHENTICATE: [
    "AUTHENTICATE <mechanism> | AUTHENTICATE <base64> | AUTHENTICATE *",
    "SASL (PLAIN, EXTERNAL) to prove you own your nick; needs the sasl capability.",
  ],
  BATCH: [
    "BATCH +<ref> draft/multiline <target> | BATCH -<ref>",
    "Send several lines as one message (draft/multiline).",
  ],
  MARKREAD: [
    "MARKREAD <target> [timestamp=<time>]",
    "Read or set how far you have read a conversation (draft/read-marker).",
  ],
  REGISTER: [
    "REGISTER <account> <email> <password>",
    "Own your nick with a password (account: * or your nick; the email is not used).",
  ],
  RELEASE: ["RELEASE <nick>", "Operators: drop a nick's owner."],
  SEARCH: [
    "SEARCH <attribute>=<value>[;<attribute>=<value>...]",
    "Search the history you may read.",
  ],
  UNCLAIM: ["UNCLAIM", "Give up owning your nick."],
  DLINE: [
    "DLINE [[<minutes>] <ip>[/<bits>] [:<reason>]]",
    "Operators: refuse an address (and close its connections); DLINE alone lists them.",
  ],
  HELPOP: ["HELPOP [<topic>]", "The same as HELP."],
  KILL: ["KILL <nick> [:<reason>]", "Operators: disconnect a user."],
  KLINE: [
    "KLINE [[<minutes>] <mask> [:<reason>]]",
    "Operators: ban user@host masks from the server; KLINE alone lists them.",
  ],
  PASS: ["PASS <password>", "The server password, sent before NICK and USER."],
  PONG: ["PONG <token>", "The answer to the server's PING."],
  REDACT: [
    "REDACT <target> <msgid> [:<reason>]",
    "Withdraw a message (yours; channel operators: any in their channel). Needs draft/message-redaction.",
  ],
  RENAME: [
    "RENAME <old-channel> <new-channel> [:<reason>]",
    "Channel operators: rename a channel; it keeps its members, modes, topic and history.",
  ],
  SETNAME: ["SETNAME :<realname>", "Change your real name (the setname capability)."],
  UNDLINE: ["UNDLINE <ip>[/<bits>]", "Operators: lift a DLINE."],
  UNKLINE: ["UNKLINE <mask>", "Operators: lift a KLINE."],
  USER: ["USER <username> 0 * :<realname>", "Register, with NICK, when you connect."],
  ADMIN: ["ADMIN", "Who runs this server."],
  AWAY: ["AWAY [:<message>]", "Mark yourself away with a message; AWAY alone marks you back."],
  CAP: ["CAP LS 302 | CAP REQ :<caps> | CAP LIST | CAP END", "Negotiate IRCv3 capabilities."],
  CHATHISTORY: [
    "CHATHISTORY LATEST|BEFORE|AFTER|AROUND|BETWEEN|TARGETS <target> ...",
    "Fetch stored messages (draft/chathistory).",
  ],
  HELP: ["HELP [<topic>]", "Help on a command. HELPOP is the same."],
  INFO: ["INFO", "About this server's software."],
  INVITE: [
    "INVITE <nick> <channel> | INVITE",
    "Invite someone into a channel; with no parameters, list your pending invitations.",
  ],
  ISON: ["ISON <nick>{ <nick>}", "Which of these nicks are online."],
  JOIN: [
    "JOIN <channel>{,<channel>} [<key>{,<key>}] | JOIN 0",
    "Join channels; JOIN 0 leaves all.",
  ],
  KICK: [
    "KICK <channel> <nick>{,<nick>} [:<reason>]",
    "Remove someone from a channel (operators).",
  ],
  LINKS: ["LINKS", "The servers of this network (just this one)."],
  LIST: [
    "LIST [<channel>|<condition>{,...}]",
    "List channels. Conditions: >N <N (users), *mask* !*mask* (names),",
    "C<M C>M (created minutes ago), T<M T>M (topic set minutes ago).",
  ],
  LUSERS: ["LUSERS", "How many users, operators and channels there are."],
  MODE: [
    "MODE <channel> [<modes> [<params>]] | MODE <nick> [<modes>]",
    "Channel: +b +e +I lists (+b m:mask mutes), +i +k +l +m +n +p +s +t +C, +o +v.",
    "User: +i invisible, +w wallops, +B bot; -o drops operator status.",
  ],
  MONITOR: [
    "MONITOR + <nick>{,<nick>} | MONITOR - <nick>{,<nick>} | MONITOR C|L|S",
    "Be told when nicks come online and go offline.",
  ],
  MOTD: ["MOTD", "The message of the day."],
  NAMES: ["NAMES <channel>{,<channel>}", "Who is in a channel."],
  NICK: ["NICK <nick>", "Choose or change your nickname."],
  NOTICE: ["NOTICE <target>{,<target>} :<text>", "Like PRIVMSG, but never answered automatically."],
  OPER: ["OPER <name> <password>", "Become an IRC operator."],
  PART: ["PART <channel>{,<channel>} [:<reason>]", "Leave channels."],
  PING: ["PING <token>", "The server answers PONG with the token."],
  PRIVMSG: [
    "PRIVMSG <target>{,<target>} :<text>",
    "Message a channel or a nick; @#channel reaches only its operators, +#channel voiced too.",
  ],
  QUIT: ["QUIT [:<reason>]", "Leave the server."],
  TAGMSG: ["TAGMSG <target>", "Send only tags (typing, reactions); needs message-tags."],
  TIME: ["TIME", "The server's time."],
  TOPIC: ["TOPIC <channel> [:<topic>]", "Show or set a channel's topic."],
  USERHOST: ["USERHOST <nick>{ <nick>}", "The user@host of nicks."],
  VERSION: ["VERSION", "The server's version and what it supports."],
  WALLOPS: ["WALLOPS :<text>", "Operators: a message to every user with +w."],
  WHO: [
    "WHO <mask> [o][%<fields>[,<token>]]",
    "Users in a channel or matching a mask; WHOX fields: t c u i h s n f d l a o r.",
  ],
  WHOIS: ["WHOIS <nick>", "About a user."],
  WHOWAS: ["WHOWAS <nick> [<count>]", "About a user who has left."],
};

/** The bare HELP's index: every topic, wrapped so each 705 line stays short. */
function index(): string[] {
  const lines = ["chat IRC server. HELP <command> for one command. Commands:"];
  let line = "";
  for (const name of Object.keys(TOPICS).sort()) {
    if (line !== "" && line.length + name.length + 1 > 76) {
      lines.push(line);
      line = "";
    }
    line = line === "" ? name : `${line} ${name}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** HELP topics keyed by upper-case name; "" is the index shown for a bare HELP. */
export const HELP: Readonly<Record<string, readonly string[]>> = { "": index(), ...TOPICS };
