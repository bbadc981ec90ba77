/**
 * Finding links in message text. Pure: the view turns each part into a text
 * node or an <a>. Only http and https become links, so a `javascript:` or
 * `data:` URL in a message stays plain text.
 */

export type Part = { readonly text: string; readonly href?: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that usually ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?)\]}]+$/;

export function linkParts(text: string): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index ?? 0;
    let url = m[0];
    const trail = TRAILING.exec(url);
    if (trail !== null && !(trail[0].startsWith(")") && url.includes("("))) {
      url = url.slice(0, url.length - trail[0].length);
    }
    if (!safeHttpUrl(url)) continue;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

function safeHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
