/**
 * Line framing: bytes arriving in arbitrary chunks become complete lines.
 *
 * Lines end in LF (a preceding CR is dropped). Bytes are buffered until the line
 * is complete and only then decoded, so a multi-byte UTF-8 character split across
 * chunks arrives whole. Invalid UTF-8 becomes U+FFFD rather than an exception,
 * and the line is marked, so the IRC front can refuse it (UTF8ONLY).
 * A line longer than the limit is reported once as `overlong` and its remaining
 * bytes are discarded up to the next LF, so memory per connection stays bounded.
 * The limit counts the line without its terminator, so CRLF and LF clients get
 * the same limit even when the CR and the LF arrive in different chunks.
 */

/** `invalidUtf8`: the line's bytes were not UTF-8 (`line` has U+FFFD in their place). */
export type FrameEvent =
  | { kind: "line"; line: string; invalidUtf8?: true }
  | { kind: "overlong"; bytes: number };

/** IRC's 512 bytes for the message body plus 8191 for IRCv3 tags. */
export const DEFAULT_MAX_LINE_BYTES = 512 + 8191;

const LF = 10;
const CR = 13;
const decoder = new TextDecoder("utf-8", { fatal: false });
/** Throws on invalid UTF-8: how a line is found to be invalid (UTF8ONLY refuses it). */
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const DONT = 254;
/** One-byte commands: NOP, DM, BRK, IP, AO, AYT, EC, EL, GA. */
const FIRST_COMMAND = 241;
const LAST_COMMAND = 249;
const MAX_SUBNEGOTIATION = 1024;

/** Assigned telnet options (RFC 1700 and later): 0-49 and EXOPL. */
function isOption(b: number): boolean {
  return b < 50 || b === 255;
}

enum Telnet {
  Data,
  Iac,
  Option,
  SubOption,
  Sub,
  SubIac,
}

/**
 * Removes telnet negotiation (IAC sequences) from a byte stream. Clients such
 * as PuTTY or Windows telnet send them unasked; the server never negotiates, so
 * the client stays in its default line mode. Only well-formed sequences naming
 * a real option or command are removed; any other 0xFF byte passes through
 * and decodes to U+FFFD like any invalid UTF-8, so UTF-8 (which never contains
 * 0xFF) is untouched and stray bytes are still visible as replaced, not lost.
 */
export class TelnetFilter {
  private state = Telnet.Data;
  /** The command byte after IAC, kept until we know the sequence is real. */
  private command = 0;
  /** Bytes swallowed by the current subnegotiation; a broken one must not eat the session. */
  private subBytes = 0;

  push(chunk: Uint8Array): Uint8Array {
    if (this.state === Telnet.Data && chunk.indexOf(IAC) === -1) return chunk;
    // At most two held bytes come back out in front of the chunk.
    const out = new Uint8Array(chunk.length + 2);
    let n = 0;
    for (const b of chunk) {
      switch (this.state) {
        case Telnet.Data:
          if (b === IAC) this.state = Telnet.Iac;
          else out[n++] = b;
          break;
        case Telnet.Iac:
          if (b === IAC) {
            out[n++] = IAC; // IAC IAC: one literal 0xFF
            this.state = Telnet.Data;
          } else if (b >= WILL && b <= DONT) {
            this.command = b;
            this.state = Telnet.Option;
          } else if (b === SB) {
            this.state = Telnet.SubOption;
          } else if (b >= FIRST_COMMAND && b <= LAST_COMMAND) {
            this.state = Telnet.Data;
          } else {
            out[n++] = IAC;
            out[n++] = b;
            this.state = Telnet.Data;
          }
          break;
        case Telnet.Option:
          if (!isOption(b)) {
            out[n++] = IAC;
            out[n++] = this.command;
            out[n++] = b;
          }
          this.state = Telnet.Data;
          break;
        case Telnet.SubOption:
          if (isOption(b)) {
            this.state = Telnet.Sub;
            this.subBytes = 0;
          } else {
            out[n++] = IAC;
            out[n++] = SB;
            out[n++] = b;
            this.state = Telnet.Data;
          }
          break;
        case Telnet.Sub:
          if (b === IAC) this.state = Telnet.SubIac;
          else if (++this.subBytes > MAX_SUBNEGOTIATION) this.state = Telnet.Data;
          break;
        case Telnet.SubIac:
          this.state = b === SE ? Telnet.Data : Telnet.Sub;
          break;
      }
    }
    return out.subarray(0, n);
  }
}

export interface LineFramerOptions {
  /** Strip telnet negotiation before framing (the server side, where telnet users arrive). */
  telnet?: boolean;
}

/** What a framer is told once; one object shared by every connection of a listener. */
export interface FramerConfig {
  readonly maxLineBytes: number;
  /** Strip telnet negotiation (see LineFramerOptions). */
  readonly telnet: boolean;
}

/**
 * A connection's framing state between chunks: only while part of a line is held, an
 * overlong line is being skipped, or the peer spoke telnet. Most chunks end at a line's
 * end, so an idle connection holds none (it was an 80-byte framer each, bench/idle-heap.ts).
 */
interface FrameHold {
  /** Bytes of an incomplete line. */
  pending: Uint8Array[] | undefined;
  pendingBytes: number;
  /** True while skipping the rest of an overlong line. */
  discarding: boolean;
  discardedBytes: number;
  /** Created at the first IAC byte: most connections never send one. */
  telnet: TelnetFilter | undefined;
}

/** Whatever keeps a connection's framing state: a LineFramer, or the TCP connection itself. */
export interface FrameHolder {
  frameHold: FrameHold | undefined;
}

/** Feed one chunk of `h`'s stream; returns the events it completes, in order. */
export function frameChunk(h: FrameHolder, cfg: FramerConfig, input: Uint8Array): FrameEvent[] {
  let st = h.frameHold;
  if (cfg.telnet && st?.telnet === undefined && input.indexOf(IAC) !== -1) {
    st = holdOf(h);
    st.telnet = new TelnetFilter();
  }
  const chunk = st?.telnet === undefined ? input : st.telnet.push(input);
  const events: FrameEvent[] = [];
  let start = 0;
  while (start < chunk.length) {
    const nl = chunk.indexOf(LF, start);
    if (nl === -1) {
      hold(h, cfg, chunk.subarray(start));
      break;
    }
    const piece = chunk.subarray(start, nl);
    start = nl + 1;
    st = h.frameHold;
    if (st?.discarding === true) {
      events.push({ kind: "overlong", bytes: st.discardedBytes + piece.length + 1 });
      st.discarding = false;
      st.discardedBytes = 0;
      release(h, st);
      continue;
    }
    const total = (st?.pendingBytes ?? 0) + piece.length;
    if (total - (endsWithCR(st, piece) ? 1 : 0) > cfg.maxLineBytes) {
      events.push({ kind: "overlong", bytes: total + 1 });
      if (st !== undefined) {
        st.pending = undefined;
        st.pendingBytes = 0;
        release(h, st);
      }
      continue;
    }
    events.push(takeLine(h, st, piece));
  }
  return events;
}

function holdOf(h: FrameHolder): FrameHold {
  if (h.frameHold === undefined) {
    h.frameHold = {
      pending: undefined,
      pendingBytes: 0,
      discarding: false,
      discardedBytes: 0,
      telnet: undefined,
    };
  }
  return h.frameHold;
}

/** Drop the state once it holds nothing (a telnet filter is kept: its peer speaks telnet). */
function release(h: FrameHolder, st: FrameHold): void {
  if (st.pending === undefined && !st.discarding && st.telnet === undefined) {
    h.frameHold = undefined;
  }
}

function hold(h: FrameHolder, cfg: FramerConfig, rest: Uint8Array): void {
  const st = holdOf(h);
  if (st.discarding) {
    st.discardedBytes += rest.length;
    return;
  }
  // One byte of slack: the held line may end in the CR of a CRLF split across chunks.
  if (st.pendingBytes + rest.length > cfg.maxLineBytes + 1) {
    // Report when the line finally ends; until then drop what arrives.
    st.discarding = true;
    st.discardedBytes = st.pendingBytes + rest.length;
    st.pending = undefined;
    st.pendingBytes = 0;
    return;
  }
  // Copy: the caller may reuse its buffer after push returns.
  if (st.pending === undefined) st.pending = [rest.slice()];
  else st.pending.push(rest.slice());
  st.pendingBytes += rest.length;
}

function endsWithCR(st: FrameHold | undefined, last: Uint8Array): boolean {
  if (last.length > 0) return last[last.length - 1] === CR;
  const held = st?.pending?.[st.pending.length - 1];
  return held !== undefined && held[held.length - 1] === CR;
}

function takeLine(h: FrameHolder, st: FrameHold | undefined, last: Uint8Array): FrameEvent {
  let bytes: Uint8Array;
  const pending = st?.pending;
  if (st === undefined || pending === undefined || pending.length === 0) {
    bytes = last;
  } else {
    bytes = new Uint8Array(st.pendingBytes + last.length);
    let off = 0;
    for (const p of pending) {
      bytes.set(p, off);
      off += p.length;
    }
    bytes.set(last, off);
    st.pending = undefined;
    st.pendingBytes = 0;
    release(h, st);
  }
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === CR) end--;
  const body = bytes.subarray(0, end);
  try {
    return { kind: "line", line: strictDecoder.decode(body) };
  } catch {
    return { kind: "line", line: decoder.decode(body), invalidUtf8: true };
  }
}

/** A framer of its own, for one stream (the client's link, the admin socket, tests). */
export class LineFramer implements FrameHolder {
  frameHold: FrameHold | undefined;
  private readonly cfg: FramerConfig;

  constructor(maxLineBytes: number = DEFAULT_MAX_LINE_BYTES, opts: LineFramerOptions = {}) {
    this.cfg = { maxLineBytes, telnet: opts.telnet === true };
  }

  get maxLineBytes(): number {
    return this.cfg.maxLineBytes;
  }

  /** Feed one chunk; returns the events it completes, in order. */
  push(input: Uint8Array): FrameEvent[] {
    return frameChunk(this, this.cfg, input);
  }

  /** Bytes held for an incomplete line (bounded by maxLineBytes). */
  get buffered(): number {
    return this.frameHold?.pendingBytes ?? 0;
  }
}
