/**
 * Message ids: `<boot>-<seq>`, the boot part from the node's start time and a
 * base-36 sequence, so ids of one run order messages even within a millisecond.
 */
export class MsgIds {
  private seq = 0;

  constructor(readonly boot: string) {}

  next(): string {
    this.seq++;
    return `${this.boot}-${this.seq.toString(36)}`;
  }

  /**
   * The next id as its parts, without making its string: a session's history floor keeps
   * it for the connection's life, and the shared boot string costs nothing per session.
   */
  nextMark(): { boot: string; seq: number } {
    this.seq++;
    return { boot: this.boot, seq: this.seq };
  }
}

export function parseMsgid(msgid: string): { boot: string; seq: number } | undefined {
  const m = /^(.+)-([0-9a-z]+)$/.exec(msgid);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { boot: m[1], seq: Number.parseInt(m[2], 36) };
}
