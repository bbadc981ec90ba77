/**
 * The IRC lines of a flushed chunk, cut once per flush for every WebSocket that
 * sends it. The core renders an event once per variant and queues the SAME
 * Uint8Array to each recipient, so one flush may send one chunk to hundreds of
 * sockets: scanning it for LF (and, for text sockets, decoding it) once per
 * socket was most of the WebSocket fan-out's cost (bench/findings.md).
 */

const CR = 13;
const LF = 10;
const decoder = new TextDecoder();

/** One chunk's lines without CR LF, as views of the chunk, and as strings once asked for. */
export interface ChunkLines {
  readonly views: readonly Uint8Array[];
  /** Decoded on first use (text frames must be strings: invalid UTF-8 becomes U+FFFD). */
  texts: readonly string[] | undefined;
}

/** The lines of `data`, without their CR LF; a last line without LF counts too. */
export function splitLines(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    if (data[i] !== LF) continue;
    out.push(data.subarray(start, i > start && data[i - 1] === CR ? i - 1 : i));
    start = i + 1;
  }
  if (start < n) out.push(data.subarray(start));
  return out;
}

export function textsOf(lines: ChunkLines): readonly string[] {
  if (lines.texts === undefined) lines.texts = lines.views.map((v) => decoder.decode(v));
  return lines.texts;
}

/**
 * Chunk lines by chunk identity, for one flush turn: a new turn forgets the
 * last one's entries (so nothing outlives the flush that sent it, and a
 * buffer reused later is cut again).
 */
export class LineCache {
  private turn = -1;
  private readonly byChunk = new Map<Uint8Array, ChunkLines>();

  get(chunk: Uint8Array, turn: number): ChunkLines {
    if (turn !== this.turn) {
      this.byChunk.clear();
      this.turn = turn;
    }
    let lines = this.byChunk.get(chunk);
    if (lines === undefined) {
      lines = { views: splitLines(chunk), texts: undefined };
      this.byChunk.set(chunk, lines);
    }
    return lines;
  }
}
