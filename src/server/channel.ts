/**
 * A room: members with their prefix status, topic, modes, bans and invites.
 * Pure state; the server decides who may change what.
 */
import { foldCase } from "../protocol/casemap.ts";
import type { BanState, RoomState, TopicState } from "../store/store.ts";
import type { Session } from "./session.ts";

/** Member status bits. */
export const OP = 1;
export const VOICE = 2;

export class Channel {
  readonly folded: string;
  /** Insertion-ordered: NAMES lists members in join order. */
  readonly members = new Map<Session, number>();
  topic: TopicState | undefined;
  /** Flag modes without parameters: i m n t. */
  readonly flags = new Set<string>(["n", "t"]);
  key: string | undefined;
  limit: number | undefined;
  bans: BanState[] = [];
  /** Casefolded nicks invited since the last time they joined. */
  readonly invites = new Set<string>();

  constructor(
    readonly name: string,
    readonly created: number,
  ) {
    this.folded = foldCase(name);
  }

  static fromState(state: RoomState): Channel {
    const ch = new Channel(state.name, state.created);
    ch.flags.clear();
    for (const f of state.flags) ch.flags.add(f);
    ch.topic = state.topic;
    ch.key = state.key;
    ch.limit = state.limit;
    ch.bans = [...state.bans];
    return ch;
  }

  toState(): RoomState {
    const state: RoomState = {
      name: this.name,
      created: this.created,
      flags: [...this.flags].sort().join(""),
      bans: [...this.bans],
    };
    if (this.topic !== undefined) state.topic = this.topic;
    if (this.key !== undefined) state.key = this.key;
    if (this.limit !== undefined) state.limit = this.limit;
    return state;
  }

  /** Worth keeping with nobody in it: someone set a topic, a mode or a ban. */
  get persistent(): boolean {
    const defaultFlags = this.flags.size === 2 && this.flags.has("n") && this.flags.has("t");
    return (
      this.topic !== undefined ||
      this.key !== undefined ||
      this.limit !== undefined ||
      this.bans.length > 0 ||
      !defaultFlags
    );
  }

  isOp(s: Session): boolean {
    return ((this.members.get(s) ?? 0) & OP) !== 0;
  }

  isVoiced(s: Session): boolean {
    return ((this.members.get(s) ?? 0) & VOICE) !== 0;
  }

  /** Mode string as in RPL_CHANNELMODEIS, with parameters shown only to members. */
  modeString(showParams: boolean): string[] {
    let modes = `+${[...this.flags].sort().join("")}`;
    const params: string[] = [];
    if (this.key !== undefined) {
      modes += "k";
      params.push(showParams ? this.key : "*");
    }
    if (this.limit !== undefined) {
      modes += "l";
      params.push(String(this.limit));
    }
    return [modes, ...params];
  }
}

/** Highest prefix (or all, for multi-prefix) of a member. */
export function prefixOf(status: number, multi: boolean): string {
  if (multi) return (status & OP ? "@" : "") + (status & VOICE ? "+" : "");
  if (status & OP) return "@";
  if (status & VOICE) return "+";
  return "";
}
