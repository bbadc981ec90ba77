/**
 * IRCv3 `batch` (https://ircv3.net/specs/extensions/batch): the one place
 * that makes batch references and frames lines as a batch. Used by
 * labeled-response (replies.ts) and history replay; a multi-line message can
 * use the same helpers.
 */

/** A batch reference from a fresh id: letters and digits only, as the spec asks. */
export function batchRef(freshId: string): string {
  return `b${freshId.replace(/[^A-Za-z0-9]/g, "")}`;
}

/**
 * `line` with one more tag (`key=value`, value already escaped) in its tag
 * section: merged into existing tags, or a new `@...` section before the rest.
 */
export function withTag(line: string, tag: string): string {
  if (line.charCodeAt(0) === 64 /* @ */) return `@${tag};${line.slice(1)}`;
  return `@${tag} ${line}`;
}

/** Whether a line already belongs to a batch (an inner batch keeps its own). */
function inBatch(line: string): boolean {
  if (line.charCodeAt(0) !== 64) return false;
  const end = line.indexOf(" ");
  const tags = end === -1 ? line : line.slice(0, end);
  return tags.startsWith("@batch=") || tags.includes(";batch=");
}

/**
 * `lines` framed as batch `ref` of `type`: `BATCH +ref type params...`, each
 * line tagged `batch=ref` (a line of a nested batch keeps its own tag), then
 * `BATCH -ref`. `openTag` goes on the opening line only (labeled-response's label).
 */
export function frameBatch(
  server: string,
  ref: string,
  type: string,
  params: readonly string[],
  lines: readonly string[],
  openTag?: string,
): string[] {
  const head = [`:${server} BATCH +${ref} ${type}`, ...params].join(" ");
  const out = [openTag === undefined ? head : withTag(head, openTag)];
  for (const line of lines) out.push(inBatch(line) ? line : withTag(line, `batch=${ref}`));
  out.push(`:${server} BATCH -${ref}`);
  return out;
}
