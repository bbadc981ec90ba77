/**
 * Telling an IRC client from a person at nc/telnet by the first line. Pure.
 *
 * A connection whose first line is an IRC registration command (with a
 * parameter, as IRC software always sends) is IRC; anything else is a person.
 * A greeting already sent (after a silent second) does not lock that in: a
 * slow IRC client's first line still makes it IRC, unless it is a lower-case
 * "nick carol" typed at the prompt.
 */

/** Commands that mark a connection as an IRC client when they come first. */
const REGISTRATION: ReadonlySet<string> = new Set(["CAP", "NICK", "USER", "PASS"]);

/** Optional tags and source, a command, then at least one parameter. */
const WITH_PARAMETER = /^\s*(?:@\S*\s+)?(?::\S*\s+)?\S+\s+\S/;

/**
 * "nick carol" as a person types it: IRC software always sends the command in
 * capitals, so a lower- or mixed-case NICK/USER is someone answering the prompt.
 */
function typedNick(line: string): boolean {
  const m = /^\s*(nick|user)\s+\S+\s*$/i.exec(line);
  return m !== null && m[1] !== "NICK" && m[1] !== "USER";
}

function firstWord(line: string): string {
  let s = line.trimStart();
  if (s.startsWith("@")) s = s.slice(s.indexOf(" ") + 1 || s.length).trimStart();
  if (s.startsWith(":")) s = s.slice(s.indexOf(" ") + 1 || s.length).trimStart();
  const sp = s.indexOf(" ");
  return (sp === -1 ? s : s.slice(0, sp)).toUpperCase();
}

/** Whether the first non-blank line of a connection is IRC. `greeted`: a person was already assumed. */
export function looksLikeIrc(line: string, greeted: boolean): boolean {
  return (
    REGISTRATION.has(firstWord(line)) && WITH_PARAMETER.test(line) && !(greeted && typedNick(line))
  );
}
