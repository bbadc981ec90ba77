/**
 * Capabilities as bits of one number per session instead of a Set each. The
 * names are a fixed list (whatever a front offers must be here), so the bit of
 * each is a constant: nothing is registered at run time, and two cores in one
 * process share nothing but this frozen table.
 */
const NAMES = [
  "message-tags",
  "server-time",
  "echo-message",
  "batch",
  "away-notify",
  "multi-prefix",
  "userhost-in-names",
  "cap-notify",
  "draft/chathistory",
  "labeled-response",
  "standard-replies",
  "setname",
  "invite-notify",
  "draft/event-playback",
  "draft/message-redaction",
  "draft/channel-rename",
  "extended-monitor",
  "draft/read-marker",
  "draft/multiline",
  "soju.im/search",
] as const;

export type CapName = (typeof NAMES)[number];

const BITS: ReadonlyMap<string, number> = new Map(NAMES.map((n, i) => [n, 1 << i]));

/** The bit of a capability the core tracks, or 0 for a name it does not know. */
export function capBit(name: string): number {
  return BITS.get(name) ?? 0;
}

export function capNames(bits: number): string[] {
  return NAMES.filter((n) => (bits & (BITS.get(n) as number)) !== 0);
}
