/**
 * Room state (topic, modes, bans, +e/+I lists) in the rooms, bans and room_lists tables, keyed by the
 * casefolded channel name. Written at once, not batched: it changes rarely and
 * must survive a restart exactly as it was last set.
 */
import type { Database } from "bun:sqlite";
import { foldCase } from "../../protocol/casemap.ts";
import { StoreOpenError } from "../errors.ts";
import type { BanState, RoomState } from "../store.ts";
import { describe, type ErrorLog } from "./log.ts";

interface RoomRow {
  folded: string;
  name: string;
  created: number;
  topic_text: string | null;
  topic_by: string | null;
  topic_at: number | null;
  flags: string;
  chan_key: string | null;
  user_limit: number | null;
}

interface BanRow {
  room: string;
  mask: string;
  set_by: string;
  set_at: number;
}

interface ListRow extends BanRow {
  mode: string;
}

type RoomParams = [
  string,
  string,
  number,
  string | null,
  string | null,
  number | null,
  string,
  string | null,
  number | null,
];

export class SqliteRooms {
  constructor(
    private readonly db: Database,
    private readonly path: string,
    private readonly log: ErrorLog,
  ) {}

  save(room: RoomState): void {
    try {
      this.db.transaction(() => {
        const folded = foldCase(room.name);
        this.db
          .query<never, RoomParams>(
            `INSERT INTO rooms (folded, name, created, topic_text, topic_by, topic_at, flags, chan_key, user_limit)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (folded) DO UPDATE SET name = excluded.name, created = excluded.created,
               topic_text = excluded.topic_text, topic_by = excluded.topic_by, topic_at = excluded.topic_at,
               flags = excluded.flags, chan_key = excluded.chan_key, user_limit = excluded.user_limit`,
          )
          .run(
            folded,
            room.name,
            room.created,
            room.topic?.text ?? null,
            room.topic?.setBy ?? null,
            room.topic?.setAt ?? null,
            room.flags,
            room.key ?? null,
            room.limit ?? null,
          );
        this.db.query<never, [string]>("DELETE FROM bans WHERE room = ?").run(folded);
        const addBan = this.db.query<never, [string, string, string, number]>(
          "INSERT OR REPLACE INTO bans (room, mask, set_by, set_at) VALUES (?, ?, ?, ?)",
        );
        for (const ban of room.bans) addBan.run(folded, ban.mask, ban.setBy, ban.setAt);
        this.db.query<never, [string]>("DELETE FROM room_lists WHERE room = ?").run(folded);
        const addEntry = this.db.query<never, [string, string, string, string, number]>(
          "INSERT OR REPLACE INTO room_lists (room, mode, mask, set_by, set_at) VALUES (?, ?, ?, ?, ?)",
        );
        for (const [mode, list] of [
          ["e", room.exceptions],
          ["I", room.invexes],
        ] as const) {
          for (const e of list ?? []) addEntry.run(folded, mode, e.mask, e.setBy, e.setAt);
        }
      })();
    } catch (err) {
      this.log.report(`history: could not save room ${room.name}: ${describe(err)}`);
    }
  }

  delete(name: string): void {
    try {
      this.db.query<never, [string]>("DELETE FROM rooms WHERE folded = ?").run(foldCase(name));
    } catch (err) {
      this.log.report(`history: could not forget room ${name}: ${describe(err)}`);
    }
  }

  /** Read once at start: a damaged rooms table stops the server (StoreOpenError) rather than forgetting rooms. */
  load(): RoomState[] {
    let rooms: RoomRow[];
    let bans: BanRow[];
    let lists: ListRow[];
    try {
      rooms = this.db.query<RoomRow, []>("SELECT * FROM rooms ORDER BY folded").all();
      bans = this.db
        .query<BanRow, []>("SELECT room, mask, set_by, set_at FROM bans ORDER BY rowid")
        .all();
      lists = this.db
        .query<ListRow, []>(
          "SELECT room, mode, mask, set_by, set_at FROM room_lists ORDER BY rowid",
        )
        .all();
    } catch (err) {
      throw new StoreOpenError(this.path, `cannot read the saved rooms: ${describe(err)}`, err);
    }
    const byRoom = new Map<string, BanState[]>();
    for (const b of bans) {
      let list = byRoom.get(b.room);
      if (list === undefined) {
        list = [];
        byRoom.set(b.room, list);
      }
      list.push({ mask: b.mask, setBy: b.set_by, setAt: b.set_at });
    }
    const listed = new Map<string, { exceptions?: BanState[]; invexes?: BanState[] }>();
    for (const l of lists) {
      let entry = listed.get(l.room);
      if (entry === undefined) {
        entry = {};
        listed.set(l.room, entry);
      }
      const key = l.mode === "e" ? "exceptions" : "invexes";
      const list = entry[key] ?? [];
      list.push({ mask: l.mask, setBy: l.set_by, setAt: l.set_at });
      entry[key] = list;
    }
    return rooms.map((r) => ({
      ...toRoom(r, byRoom.get(r.folded) ?? []),
      ...listed.get(r.folded),
    }));
  }
}

function toRoom(r: RoomRow, bans: BanState[]): RoomState {
  const room: RoomState = { name: r.name, created: r.created, flags: r.flags, bans };
  if (r.topic_text !== null) {
    room.topic = { text: r.topic_text, setBy: r.topic_by ?? "", setAt: r.topic_at ?? 0 };
  }
  if (r.chan_key !== null) room.key = r.chan_key;
  if (r.user_limit !== null) room.limit = r.user_limit;
  return room;
}
