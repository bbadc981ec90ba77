/**
 * Room rules as functions over a room's state, free of I/O: who may join,
 * who may speak, and what a list of mode changes does to the room. The
 * actions (actions-rooms.ts) call these, then store and publish the outcome.
 */
import { foldCase } from "../protocol/casemap.ts";
import { globMatch, normalizeMask as normalizeBanMask } from "../security/bans.ts";
import { secretsEqual } from "../security/password.ts";
import type { BanState } from "../store/store.ts";
import type { ModeChange } from "./api.ts";
import { ChatError } from "./errors.ts";
import type { Limits } from "./limits.ts";
import { OP, type Room, type Session, VOICE } from "./state.ts";

/** The mute extban prefix: `+b m:mask` silences matching users without keeping them out. */
export const MUTE_PREFIX = "m:";

function matchesAny(list: readonly BanState[], prefix: string): boolean {
  // globMatch applies the casemapping itself.
  return list.some((b) => globMatch(b.mask, prefix));
}

/** Banned (+b, not a mute extban) and not excepted (+e). */
export function isBanned(room: Room, prefix: string): boolean {
  if (room.bans.length === 0) return false;
  const banned = room.bans.some(
    (b) => !b.mask.startsWith(MUTE_PREFIX) && globMatch(b.mask, prefix),
  );
  return banned && !matchesAny(room.exceptions, prefix);
}

/** Muted by a `+b m:mask` extban and not excepted (+e). */
export function isMuted(room: Room, prefix: string): boolean {
  if (room.bans.length === 0) return false;
  const muted = room.bans.some(
    (b) => b.mask.startsWith(MUTE_PREFIX) && globMatch(b.mask.slice(MUTE_PREFIX.length), prefix),
  );
  return muted && !matchesAny(room.exceptions, prefix);
}

/**
 * Why `s` may not join `room` with `key`, or undefined; an invitation
 * overrides +k +l +i +b, and an invite exception (+I) overrides +i.
 */
export function joinRefusal(
  room: Room,
  s: Session,
  key: string | undefined,
): ChatError | undefined {
  const invited = s.folded !== undefined && room.invites.has(s.folded);
  if (invited) return undefined;
  if (room.key !== undefined && !secretsEqual(key ?? "", room.key)) {
    return new ChatError("badChannelKey", [room.name]);
  }
  if (room.limit !== undefined && room.members.size >= room.limit) {
    return new ChatError("channelIsFull", [room.name]);
  }
  if (room.flags.has("i") && !matchesAny(room.invexes, s.prefix)) {
    return new ChatError("inviteOnlyChan", [room.name]);
  }
  if (isBanned(room, s.prefix)) return new ChatError("bannedFromChan", [room.name]);
  return undefined;
}

/** A CTCP other than ACTION (/me): what +C refuses. */
export function isCtcp(text: string): boolean {
  return text.charCodeAt(0) === 1 && !text.startsWith("\x01ACTION");
}

/**
 * +n keeps outsiders out; +m, bans and mutes silence all but voiced members
 * and operators; +C refuses CTCPs (not /me) from everyone.
 */
export function sendRefusal(room: Room, s: Session, text = ""): ChatError | undefined {
  const status = room.members.get(s);
  if (status === undefined && room.flags.has("n")) {
    return new ChatError("cannotSendToChan", [room.name]);
  }
  if (room.flags.has("C") && isCtcp(text)) {
    return new ChatError("cannotSendToChan", [room.name], "Cannot send CTCP to channel (+C)");
  }
  if (!status && room.flags.has("m")) return new ChatError("cannotSendToChan", [room.name]);
  if (!status && (isBanned(room, s.prefix) || isMuted(room, s.prefix))) {
    return new ChatError(
      "cannotSendToChan",
      [room.name],
      "Cannot send to channel (you are banned or muted)",
    );
  }
  return undefined;
}

/** The list a list mode keeps: +b bans, +e exceptions, +I invite exceptions. */
export function listOf(room: Room, mode: ListMode): BanState[] {
  return mode === "b" ? room.bans : mode === "e" ? room.exceptions : room.invexes;
}

export type ListMode = "b" | "e" | "I";

/**
 * A channel ban mask in full form: `bob` -> `bob!*@*`; spaces and commas
 * cannot be part of one. A mute extban keeps its prefix: `m:bob` -> `m:bob!*@*`.
 */
export function normalizeMask(mask: string): string {
  const clean = mask.replace(/[\s,]/g, "");
  if (clean.startsWith(MUTE_PREFIX)) {
    return MUTE_PREFIX + normalizeBanMask(clean.slice(MUTE_PREFIX.length) || "*");
  }
  return normalizeBanMask(clean || "*");
}

export interface ModeOutcome {
  /** The applied changes as a MODE line's parameters, e.g. ["+o-v", "alice", "bob"]; [] if none. */
  modes: string[];
  /** A stored property (flags, key, limit, bans) changed: the room state must be saved. */
  stateChanged: boolean;
  /** The first refused change; the ones before and after it still apply. */
  failed: ChatError | undefined;
}

/**
 * Apply channel mode changes by `actor` (whose right to do so the caller
 * checked). `findMember` resolves the nick of a +o/+v change.
 */
export function applyModes(
  room: Room,
  changes: readonly ModeChange[],
  actor: { prefix: string },
  now: number,
  limits: Readonly<Limits>,
  findUser: (nick: string) => Session | undefined,
): ModeOutcome {
  let modeStr = "";
  let lastSign = "";
  const params: string[] = [];
  let stateChanged = false;
  let failed: ChatError | undefined;
  const push = (sign: string, mode: string, param?: string): void => {
    if (sign !== lastSign) {
      modeStr += sign;
      lastSign = sign;
    }
    modeStr += mode;
    if (param !== undefined) params.push(param);
  };
  for (const c of changes) {
    try {
      const param = applyOne(room, c, actor, now, limits, findUser);
      if (param === NOTHING) continue;
      if (c.mode !== "o" && c.mode !== "v") stateChanged = true;
      push(c.sign, c.mode, param);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      failed ??= err;
    }
  }
  return { modes: modeStr === "" ? [] : [modeStr, ...params], stateChanged, failed };
}

/** Returned by applyOne when a change changes nothing (already set, not there). */
const NOTHING = Symbol("nothing");

/** One change: the parameter to announce (undefined for none), or NOTHING. */
function applyOne(
  room: Room,
  c: ModeChange,
  actor: { prefix: string },
  now: number,
  limits: Readonly<Limits>,
  findUser: (nick: string) => Session | undefined,
): string | undefined | typeof NOTHING {
  const add = c.sign === "+";
  switch (c.mode) {
    case "i":
    case "m":
    case "n":
    case "t":
    case "s":
    case "p":
    case "C":
      if (room.flags.has(c.mode) === add) return NOTHING;
      if (add) room.flags.add(c.mode);
      else room.flags.delete(c.mode);
      return undefined;
    case "k": {
      if (!add) {
        if (room.key === undefined) return NOTHING;
        room.key = undefined;
        return "*";
      }
      const key = c.param ?? "";
      if (key === "" || /[\s,:]/.test(key) || key.length > limits.keyLen) {
        throw new ChatError("invalidKey", [room.name]);
      }
      room.key = key;
      return key;
    }
    case "l": {
      if (!add) {
        if (room.limit === undefined) return NOTHING;
        room.limit = undefined;
        return undefined;
      }
      const n = Number(c.param);
      if (!/^\d+$/.test(c.param ?? "") || n < 1 || n > 1_000_000) {
        throw new ChatError("invalidModeParam", [room.name, "l", c.param ?? "*"], "Invalid limit");
      }
      room.limit = n;
      return String(n);
    }
    case "b":
    case "e":
    case "I": {
      const list = listOf(room, c.mode);
      const mask = normalizeMask(c.param ?? "");
      const at = list.findIndex((b) => foldCase(b.mask) === foldCase(mask));
      if (add) {
        if (at !== -1 || list.length >= limits.maxBansPerRoom) return NOTHING;
        list.push({ mask, setBy: actor.prefix, setAt: now });
      } else {
        if (at === -1) return NOTHING;
        list.splice(at, 1);
      }
      return mask;
    }
    case "o":
    case "v": {
      const nick = c.param ?? "";
      const target = findUser(nick);
      // No such user at all is 401, as InspIRCd says; 441 is for someone elsewhere.
      if (target === undefined) throw new ChatError("noSuchNick", [nick]);
      const status = room.members.get(target);
      if (status === undefined) throw new ChatError("userNotInChannel", [nick, room.name]);
      const bit = c.mode === "o" ? OP : VOICE;
      const next = add ? status | bit : status & ~bit;
      if (next === status) return NOTHING;
      room.members.set(target, next);
      return target.nick;
    }
    default:
      throw new ChatError("unknownMode", [c.mode], `is unknown mode char to me for ${room.name}`);
  }
}
