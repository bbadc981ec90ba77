/**
 * Room actions: JOIN, PART, TOPIC, KICK, INVITE, and the room views (NAMES,
 * LIST). Each changes the room's state by the rules in rules.ts, saves what
 * lasts, and publishes the event on the room's topic.
 */
import { foldCase } from "../../protocol/casemap.ts";
import { byteLength, clipBytes } from "../../protocol/text.ts";
import type { JoinResult, MemberView, RoomSummary, RoomView, TopicState } from "../api.ts";
import { ChatError } from "../errors.ts";
import { type CoreParts, eventBase, publishUser } from "../parts.ts";
import { joinRefusal } from "../rules.ts";
import { OP, Room, type Session, VOICE } from "../state.ts";
import { LINE_BYTES } from "./identity.ts";

export function validChannel(c: CoreParts, name: string): boolean {
  return (
    name.length >= 2 &&
    name.length <= c.limits.channelLen &&
    name.charCodeAt(0) === 35 /* # */ &&
    !/[\s,\x07\x00:]/.test(name)
  );
}

export function roomOf(c: CoreParts, name: string): Room {
  const room = c.registry.room(name);
  if (room === undefined) throw new ChatError("noSuchChannel", [name]);
  return room;
}

/** Store the room's lasting state, or forget it once nothing in it is worth keeping. */
export function saveRoom(c: CoreParts, room: Room): void {
  if (room.persistent) c.history.store.saveRoom(room.toState());
  else c.history.store.deleteRoom(room.name);
}

/** Join a room; undefined when `s` is in it already (nothing happens, nothing is sent). */
export function join(
  c: CoreParts,
  s: Session,
  name: string,
  key: string | undefined,
): JoinResult | undefined {
  if (!s.registered) throw new ChatError("notRegistered");
  if (!validChannel(c, name)) throw new ChatError("noSuchChannel", [name]);
  const folded = foldCase(name);
  if (s.joined.has(folded)) return undefined;
  if (s.joined.size >= c.limits.maxChannelsPerUser) {
    throw new ChatError("tooManyChannels", [name]);
  }
  c.admission.checkJoinPart(s, name, c.now());
  let room = c.registry.rooms.get(folded);
  let status = 0;
  if (room === undefined) {
    room = new Room(name, c.now());
    c.registry.rooms.set(folded, room);
    status = OP;
  } else {
    const refused = joinRefusal(room, s, key);
    if (refused !== undefined) throw refused;
    if (s.folded !== undefined) room.invites.delete(s.folded);
    // The first one into an empty (persistent) room runs it.
    if (room.members.size === 0) status = OP;
  }
  room.members.set(s, status);
  s.addRoom(room);
  s.updateVariant();
  s.conn.fanout?.enter(room, s.variant);
  c.delivery.watchRoom(room);
  c.bus.publish(room.folded, {
    ...eventBase(c, s),
    type: "join",
    channel: room.name,
    realname: s.realname,
    ...(status === OP ? { op: true as const } : {}),
  });
  // away-notify: room-mates learn right away that someone who just joined is away.
  if (s.away !== undefined) {
    c.bus.publish(room.folded, {
      ...eventBase(c, s),
      type: "away",
      text: s.away,
      rooms: [room.folded],
    });
  }
  const result: JoinResult = { room: roomView(c, room) };
  if (!s.hasCap("draft/chathistory")) {
    const entries = c.history.latest(room.folded, c.limits.joinHistory);
    if (entries.length > 0) result.replay = entries;
  }
  return result;
}

/** Members in join order, capped so a huge room cannot turn one NAMES into megabytes. */
export function roomView(c: CoreParts, room: Room): RoomView {
  const max = c.limits.maxListMembers;
  const members: MemberView[] = [];
  for (const [m, st] of room.members) {
    if (max > 0 && members.length >= max) break;
    members.push(memberView(m, st));
  }
  const view: RoomView = { channel: room.name, members, visibility: room.visibility };
  if (room.topic !== undefined) view.topic = room.topic;
  if (max > 0 && room.members.size > max) {
    view.note = `${room.name} has ${room.members.size} members; only the first ${max} are listed`;
  }
  return view;
}

function memberView(m: Session, status: number): MemberView {
  return {
    nick: m.nick ?? "*",
    userhost: m.prefix,
    op: (status & OP) !== 0,
    voice: (status & VOICE) !== 0,
    owned: m.account !== null && m.nick !== undefined && foldCase(m.account) === foldCase(m.nick),
  };
}

/** A secret (+s) room does not exist for those outside it (NAMES, LIST, WHO). */
export function hiddenFrom(room: Room, s: Session): boolean {
  return room.flags.has("s") && !room.members.has(s) && !s.oper;
}

export function names(c: CoreParts, s: Session, name: string): RoomView | undefined {
  const room = c.registry.room(name);
  return room === undefined || hiddenFrom(room, s) ? undefined : roomView(c, room);
}

/** `s` undefined: the host (the admin socket), who sees every room. */
export function list(
  c: CoreParts,
  s: Session | undefined,
  wanted: readonly string[] | undefined,
): RoomSummary[] {
  const rooms =
    wanted !== undefined && wanted.length > 0
      ? wanted.map((n) => c.registry.room(n)).filter((r) => r !== undefined)
      : [...c.registry.rooms.values()];
  const out: RoomSummary[] = [];
  for (const r of rooms) {
    if (s !== undefined && hiddenFrom(r, s)) continue;
    const summary: RoomSummary = {
      name: r.name,
      users: r.members.size,
      topic: r.topic?.text ?? "",
      created: r.created,
    };
    if (r.topic !== undefined) summary.topicTime = r.topic.setAt;
    out.push(summary);
  }
  return out;
}

export function part(c: CoreParts, s: Session, name: string, reason: string | undefined): void {
  const room = roomOf(c, name);
  if (!room.members.has(s)) throw new ChatError("notOnChannel", [room.name]);
  c.admission.checkJoinPart(s, room.name, c.now());
  const ev = { ...eventBase(c, s), type: "part" as const, channel: room.name };
  const clipped =
    reason === undefined || reason === ""
      ? undefined
      : clipBytes(reason, LINE_BYTES - byteLength(`:${s.prefix} PART ${room.name} :`));
  c.bus.publish(room.folded, clipped === undefined ? ev : { ...ev, reason: clipped });
  leave(c, room, s);
}

/** Drop a member; an empty room with nothing worth keeping disappears. */
export function leave(c: CoreParts, room: Room, s: Session): void {
  room.members.delete(s);
  s.deleteRoom(room.folded);
  s.updateVariant();
  s.conn.fanout?.leave(room);
  if (room.members.size === 0) {
    c.delivery.unwatchRoom(room);
    if (!room.persistent) c.registry.rooms.delete(room.folded);
  }
}

/** TOPIC without text: the topic, except of a secret room to someone outside it (442). */
export function readTopic(c: CoreParts, s: Session, name: string): TopicState | undefined {
  const room = roomOf(c, name);
  if (hiddenFrom(room, s)) throw new ChatError("notOnChannel", [room.name]);
  return room.topic;
}

export function topic(c: CoreParts, s: Session, name: string, text: string): void {
  const room = roomOf(c, name);
  if (!room.members.has(s)) throw new ChatError("notOnChannel", [room.name]);
  if (room.flags.has("t") && !room.isOp(s)) throw new ChatError("chanOpPrivsNeeded", [room.name]);
  // TOPICLEN, and never so long that the relayed TOPIC line passes 512 bytes.
  const fits = LINE_BYTES - byteLength(`:${s.prefix} TOPIC ${room.name} :`);
  const clipped = clipBytes(text, Math.min(c.limits.topicLen, fits));
  const now = c.now();
  room.topic = clipped === "" ? undefined : { text: clipped, setBy: s.prefix, setAt: now };
  saveRoom(c, room);
  c.bus.publish(room.folded, {
    ...eventBase(c, s),
    type: "topic",
    channel: room.name,
    text: clipped,
  });
}

/** KICK: a room operator (or a server operator) removes a member. */
export function kick(c: CoreParts, s: Session, name: string, nick: string, reason: string): void {
  const room = roomOf(c, name);
  if (!s.oper) {
    if (!room.members.has(s)) throw new ChatError("notOnChannel", [room.name]);
    if (!room.isOp(s)) throw new ChatError("chanOpPrivsNeeded", [room.name]);
  }
  const victim = c.registry.holder(nick);
  if (victim === undefined || !room.members.has(victim)) {
    throw new ChatError("userNotInChannel", [nick, room.name]);
  }
  kickOut(c, room, victim, eventBase(c, s), s.nick ?? "?", reason);
}

/**
 * Publish a KICK of `victim` (from a session's or the server's event base), log
 * it, and take them out of the room: the one path for operators and the admin socket.
 */
export function kickOut(
  c: CoreParts,
  room: Room,
  victim: Session,
  base: ReturnType<typeof eventBase>,
  by: string,
  reason: string,
): string {
  const shown = victim.nick ?? "*";
  // KICKLEN, and never so long that the relayed KICK line passes 512 bytes.
  const fits = LINE_BYTES - byteLength(`:${base.source} KICK ${room.name} ${shown} :`);
  c.bus.publish(room.folded, {
    ...base,
    type: "kick",
    channel: room.name,
    victim: shown,
    reason: clipBytes(reason, Math.min(c.limits.kickLen, fits)),
  });
  c.event({
    level: "info",
    event: "kick",
    msg: `KICK ${room.name} ${shown} by ${by}: ${reason}`,
    fields: { channel: room.name, nick: shown, by, reason },
  });
  leave(c, room, victim);
  return shown;
}

/** INVITE: published to the invitee's nick; a +i room remembers the invitation. */
export function invite(
  c: CoreParts,
  s: Session,
  nick: string,
  name: string,
): { nick: string; channel: string; away?: string } {
  const invitee = c.registry.user(nick);
  if (invitee?.nick === undefined || invitee.folded === undefined) {
    throw new ChatError("noSuchNick", [nick]);
  }
  const room = c.registry.room(name);
  if (room !== undefined) {
    if (!room.members.has(s)) throw new ChatError("notOnChannel", [room.name]);
    if (room.members.has(invitee)) throw new ChatError("userOnChannel", [invitee.nick, room.name]);
    if (room.flags.has("i") && !room.isOp(s)) throw new ChatError("chanOpPrivsNeeded", [room.name]);
    room.invites.add(invitee.folded);
    if (invitee.invitedTo === undefined) invitee.invitedTo = new Set();
    invitee.invitedTo.add(room);
  }
  const channel = room?.name ?? name;
  const ev = { ...eventBase(c, s), type: "invite" as const, channel, invitee: invitee.nick };
  c.bus.publish(invitee.folded, ev);
  // invite-notify: the room's members with the capability see it too (delivery.ts).
  if (room !== undefined) c.bus.publish(room.folded, ev);
  const result: { nick: string; channel: string; away?: string } = { nick: invitee.nick, channel };
  if (invitee.away !== undefined) result.away = invitee.away;
  return result;
}

/** INVITE with no parameters: the rooms `s` holds a pending invitation to. */
export function pendingInvites(s: Session): string[] {
  const out: string[] = [];
  for (const room of s.invitedTo ?? []) {
    if (s.folded !== undefined && room.invites.has(s.folded)) out.push(room.name);
  }
  return out;
}

/** Leave every room (JOIN 0). */
export function partAll(c: CoreParts, s: Session): void {
  for (const room of [...s.joined.values()]) part(c, s, room.name, undefined);
}

/** Everything a departing session leaves behind in rooms: one QUIT for its room-mates. */
export function quitRooms(c: CoreParts, s: Session, reason: string): void {
  if (s.joined.size > 0) publishUser(c, s, "quit", reason);
  for (const room of [...s.joined.values()]) leave(c, room, s);
  s.clearRooms();
}
