/**
 * This node's replica of the people on other nodes. Each remote user is a
 * "ghost" Session in the local registry: it holds its nick, sits in rooms with
 * its status, has an away text, so NAMES, WHO, WHOIS, LUSERS and the room
 * rules (bans, +i, +l, who is op) work unchanged over the whole network. A
 * ghost's connection writes nowhere; what is addressed to it crosses the bus
 * to its home node, which delivers it to the real session.
 *
 * The replica is fed by the other nodes' bus events (after local delivery)
 * and by their control records (a user registered or left, a snapshot for a
 * node that just started). It never publishes: the home node already did.
 */
import type { BusEvent } from "../bus/events.ts";
import { leave, saveRoom } from "../core/actions/rooms.ts";
import type { FrontFactory, ModeChange } from "../core/api.ts";
import type { Core } from "../core/core.ts";
import { CoreHandle } from "../core/handle.ts";
import { applyModes } from "../core/rules.ts";
import { OP, Room, Session, type SessionHost } from "../core/state.ts";
import { foldCase } from "../protocol/casemap.ts";
import type { BanState, TopicState } from "../store/store.ts";
import type { Conn } from "../transport/conn.ts";

/** A user as its home node announces it. */
export interface UserRecord {
  node: string;
  conn: number;
  nick: string;
  user: string;
  host: string;
  realname: string;
  away?: string;
  /** Rooms with the member status bits, for a snapshot (absent in a plain "registered"). */
  rooms?: [string, number][];
}

/** A room's lasting state, for a snapshot. */
export interface RoomRecord {
  name: string;
  created: number;
  topic?: TopicState;
  flags: string;
  key?: string;
  limit?: number;
  bans: BanState[];
}

/** Ghosts never talk: their "connection" is never read from and drops what it is given. */
const NOWHERE: SessionHost = { input() {}, overlong() {}, closed() {}, nickEvent() {} };

function ghostConn(host: string): Conn {
  return { remoteAddress: host, send() {}, close() {}, queuedBytes: 0, closed: false };
}

/** `nick!user@host` split; undefined for a server source. */
function splitMask(mask: string): { nick: string; user: string; host: string } | undefined {
  const bang = mask.indexOf("!");
  const at = mask.indexOf("@", bang);
  if (bang <= 0 || at === -1) return undefined;
  return { nick: mask.slice(0, bang), user: mask.slice(bang + 1, at), host: mask.slice(at + 1) };
}

/** Mode letters that carry a parameter in a MODE event, by sign. */
function takesParam(mode: string, sign: "+" | "-"): boolean {
  return (
    mode === "o" || mode === "v" || mode === "b" || mode === "k" || (mode === "l" && sign === "+")
  );
}

/** ["+o-v", "bob", "carol"] back into the changes that produced it. */
export function parseModeEvent(modes: readonly string[]): ModeChange[] {
  const out: ModeChange[] = [];
  let sign: "+" | "-" = "+";
  let next = 1;
  for (const m of modes[0] ?? "") {
    if (m === "+" || m === "-") {
      sign = m;
      continue;
    }
    const change: ModeChange = { sign, mode: m };
    if (takesParam(m, sign)) {
      const p = modes[next++];
      if (p !== undefined) change.param = p;
    }
    out.push(change);
  }
  return out;
}

export class Replica {
  /** Ghosts by `node/conn` of their home session. */
  private readonly ghosts = new Map<string, Session>();
  private nextId = -2;

  constructor(
    private readonly core: Core,
    private readonly irc: FrontFactory,
  ) {}

  /** The users of `node` here, with their connection number on that node. */
  usersOf(node: string): [number, Session][] {
    const prefix = `${node}/`;
    return [...this.ghosts]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, g]) => [Number(k.slice(prefix.length)), g]);
  }

  ghost(node: string, conn: number): Session | undefined {
    return this.ghosts.get(`${node}/${conn}`);
  }

  /** Where a ghost lives: its home node and connection number there. */
  homeOf(g: Session): { node: string; conn: number } | undefined {
    for (const [key, s] of this.ghosts) {
      if (s !== g) continue;
      const slash = key.lastIndexOf("/");
      return { node: key.slice(0, slash), conn: Number(key.slice(slash + 1)) };
    }
    return undefined;
  }

  /** A user registered on another node (or is listed in its snapshot). */
  user(r: UserRecord): Session {
    const key = `${r.node}/${r.conn}`;
    let g = this.ghosts.get(key);
    if (g === undefined) {
      g = new Session(this.nextId--, ghostConn(r.host), NOWHERE, this.core.now());
      g.api = new CoreHandle(this.core, g);
      g.front = this.irc(g.api);
      g.mode = "irc";
      g.user = r.user;
      g.realname = r.realname;
      g.registered = true;
      this.ghosts.set(key, g);
      this.core.registry.remoteUsers++;
      this.rename(g, r.nick);
    } else if (g.nick !== r.nick) {
      this.rename(g, r.nick);
    }
    g.away = r.away;
    for (const [name, status] of r.rooms ?? []) this.enter(g, name, status, this.core.now());
    g.updateVariant();
    return g;
  }

  /** A user left another node (or the node was lost): out of every room, nick freed. */
  drop(node: string, conn: number): Session | undefined {
    const key = `${node}/${conn}`;
    const g = this.ghosts.get(key);
    if (g === undefined) return undefined;
    this.ghosts.delete(key);
    this.core.registry.remoteUsers--;
    for (const room of [...g.joined.values()]) leave(this.core, room, g);
    this.core.registry.releaseNick(g);
    g.gone = true;
    return g;
  }

  /** A room's state from another node's snapshot. */
  room(r: RoomRecord): void {
    const room = this.roomNamed(r.name, r.created);
    room.topic = r.topic;
    room.flags.clear();
    for (const f of r.flags) room.flags.add(f);
    room.key = r.key;
    room.limit = r.limit;
    room.bans = [...r.bans];
    saveRoom(this.core, room);
  }

  /** Apply another node's event to the replica; local delivery has already happened. */
  apply(topic: string, ev: BusEvent): void {
    const g = this.ghosts.get(`${ev.origin.node}/${ev.origin.conn}`);
    switch (ev.type) {
      case "join": {
        const who = g ?? this.fromMask(ev);
        if (who !== undefined) {
          who.realname = ev.realname;
          // The home node decided op or not; two nodes that each opened the room both keep theirs.
          this.enter(who, ev.channel, ev.op === true ? OP : 0, ev.time);
        }
        return;
      }
      case "part": {
        const room = this.core.registry.room(ev.channel);
        if (g !== undefined && room?.members.has(g)) leave(this.core, room, g);
        return;
      }
      case "kick": {
        const room = this.core.registry.room(ev.channel);
        const victim = this.core.registry.holder(ev.victim);
        if (room !== undefined && victim !== undefined && room.members.has(victim)) {
          leave(this.core, room, victim);
        }
        return;
      }
      case "topic": {
        const room = this.core.registry.room(ev.channel);
        if (room === undefined) return;
        room.topic =
          ev.text === "" ? undefined : { text: ev.text, setBy: ev.source, setAt: ev.time };
        saveRoom(this.core, room);
        return;
      }
      case "mode": {
        const room = this.core.registry.room(ev.channel);
        if (room === undefined) return;
        try {
          const out = applyModes(
            room,
            parseModeEvent(ev.modes),
            { prefix: ev.source },
            ev.time,
            this.core.limits,
            (nick) => this.core.registry.user(nick),
          );
          if (out.stateChanged) saveRoom(this.core, room);
        } catch {
          // The home node applied what it announced; a change that cannot apply here
          // (a member who left meanwhile) has nothing left to change.
        }
        return;
      }
      case "invite": {
        const room = this.core.registry.room(ev.channel);
        const invitee = this.core.registry.user(ev.invitee);
        if (room === undefined || invitee?.folded === undefined) return;
        room.invites.add(invitee.folded);
        if (invitee.id > 0) {
          if (invitee.invitedTo === undefined) invitee.invitedTo = new Set();
          invitee.invitedTo.add(room);
        }
        return;
      }
      case "nick":
        // Published on several topics; the first one renames, the rest find it done.
        if (g !== undefined && g.nick !== ev.text) this.rename(g, ev.text);
        return;
      case "away":
        if (g !== undefined) g.away = ev.text === "" ? undefined : ev.text;
        return;
      case "quit":
        this.drop(ev.origin.node, ev.origin.conn);
        return;
      case "message":
      case "tagmsg":
        if (g !== undefined && topic.charCodeAt(0) === 35) g.lastSpoke = ev.time;
        return;
    }
  }

  /** A ghost for an event's source we have not heard of (it registered before we started). */
  private fromMask(ev: BusEvent): Session | undefined {
    const m = splitMask(ev.source);
    if (m === undefined) return undefined;
    return this.user({ node: ev.origin.node, conn: ev.origin.conn, ...m, realname: "" });
  }

  /** Put `g` in a room with its status bits. */
  private enter(g: Session, name: string, status: number, now: number): void {
    const room = this.roomNamed(name, now);
    room.members.set(g, status);
    if (g.folded !== undefined) room.invites.delete(g.folded);
    g.addRoom(room);
  }

  private roomNamed(name: string, created: number): Room {
    const folded = foldCase(name);
    let room = this.core.registry.rooms.get(folded);
    if (room === undefined) {
      room = new Room(name, created);
      this.core.registry.rooms.set(folded, room);
    }
    return room;
  }

  /**
   * Give a ghost its nick in the registry. If a local session holds it too (a
   * race the nick claims in Redis settle: one of the two is renamed), the ghost
   * waits off the nick table until `reclaim`.
   */
  private rename(g: Session, nick: string): void {
    this.core.registry.releaseNick(g);
    const folded = foldCase(nick);
    g.setIdentity(nick, folded);
    if (!this.core.registry.nickTaken(folded)) this.core.registry.claimNick(g, folded);
  }

  /** A local session gave up `folded` (lost a conflict): a ghost waiting for it takes it. */
  reclaim(folded: string): void {
    if (this.core.registry.nickTaken(folded)) return;
    for (const g of this.ghosts.values()) {
      if (g.folded === folded) {
        this.core.registry.claimNick(g, folded);
        return;
      }
    }
  }
}
