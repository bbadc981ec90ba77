/**
 * Desktop notifications for a mention or a private line: OSC 9 (iTerm2,
 * WezTerm, Windows Terminal, foot, kitty) and OSC 777 (rxvt-unicode, VTE
 * terminals such as GNOME Terminal), after the bell. Terminals that know
 * neither ignore them. The text comes from the network, so it is cleaned and
 * stripped of what would end or split the sequence. Pure.
 */
import { clean } from "./ui/safe.ts";

/** Short enough for a notification bubble. */
const MAX_BODY = 200;

export function notification(title: string, body: string): string {
  const safe = (s: string): string => clean(s).replace(/;/g, ",").slice(0, MAX_BODY);
  const t = safe(title);
  const b = safe(body);
  return `\x1b]9;${t}: ${b}\x07\x1b]777;notify;${t};${b}\x07`;
}
