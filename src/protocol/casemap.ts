/**
 * Casemapping, declared in ISUPPORT as CASEMAPPING=rfc1459 and applied to every
 * nick and channel comparison: ASCII letters fold to lower case, and []\~ fold
 * to {}|^ as the Scandinavian heritage of RFC 1459 requires.
 */
export const CASEMAPPING = "rfc1459";

export function foldCase(name: string): string {
  // Most names are already folded: find the first character that changes, if any.
  let i = 0;
  for (; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 93) || c === 126) break;
  }
  return i === name.length ? name : foldFrom(name, i);
}

function foldFrom(name: string, start: number): string {
  let out = name.slice(0, start);
  let changed = false;
  for (let i = start; i < name.length; i++) {
    const c = name.charCodeAt(i);
    let f = c;
    if (c >= 65 && c <= 90) f = c + 32;
    else if (c === 91)
      f = 123; // [ -> {
    else if (c === 93)
      f = 125; // ] -> }
    else if (c === 92)
      f = 124; // \ -> |
    else if (c === 126) f = 94; // ~ -> ^
    if (f !== c) changed = true;
    out += String.fromCharCode(f);
  }
  return changed ? out : name;
}

export function sameName(a: string, b: string): boolean {
  return a.length === b.length && foldCase(a) === foldCase(b);
}
