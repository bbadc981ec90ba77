/** `chat admin`: carry out one AdminConfig and print the outcome for the host. */
import type { AdminRoomsResult, AdminUsersResult } from "../admin/views.ts";
import {
  BackupError,
  backupDatabase,
  type ExportedMessage,
  exportConversation,
} from "../store/sqlite/backup.ts";
import { adminRequest } from "./admin-client.ts";
import type { AdminConfig } from "./admin-config.ts";
import { FatalError } from "./usage-error.ts";

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function nickOf(source: string): string {
  const bang = source.indexOf("!");
  return bang === -1 ? source : source.slice(0, bang);
}

/** One exported message as a line of a readable log. */
export function textLine(m: ExportedMessage): string {
  const at = new Date(m.time).toISOString();
  const nick = nickOf(m.source);
  const action = /^\x01ACTION (.*)\x01$/s.exec(m.text);
  if (action) return `[${at}] * ${nick} ${action[1]}`;
  return m.command === "NOTICE" ? `[${at}] -${nick}- ${m.text}` : `[${at}] <${nick}> ${m.text}`;
}

export function jsonLine(m: ExportedMessage): string {
  return JSON.stringify({
    time: new Date(m.time).toISOString(),
    msgid: m.msgid,
    nick: nickOf(m.source),
    source: m.source,
    command: m.command,
    target: m.target,
    text: m.text,
  });
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

async function ask(socket: string, request: object): Promise<unknown> {
  const a = await adminRequest(socket, request);
  if (!a.ok) throw new FatalError(a.error);
  return a.result;
}

function localFile(run: () => void): void {
  try {
    run();
  } catch (err) {
    if (err instanceof BackupError) throw new FatalError(err.message);
    throw err;
  }
}

export async function runAdmin(config: AdminConfig): Promise<void> {
  switch (config.action) {
    case "backup":
      localFile(() => {
        const { bytes } = backupDatabase(config.db, config.file);
        print(`backed up ${config.db} to ${config.file} (${bytes} bytes)`);
      });
      return;
    case "export":
      localFile(() => {
        const line = config.format === "json" ? jsonLine : textLine;
        const n = exportConversation(config.db, config.key, config.since, (m) => print(line(m)));
        if (n === 0) process.stderr.write(`chat: no messages in ${config.room} to export\n`);
      });
      return;
    case "rooms": {
      const rooms = (await ask(config.socket, { cmd: "rooms" })) as AdminRoomsResult;
      if (config.json) return print(JSON.stringify(rooms));
      if (rooms.length === 0) return print("no rooms");
      for (const l of table([
        ["ROOM", "USERS", "TOPIC"],
        ...rooms.map((r) => [r.name, String(r.users), r.topic]),
      ]))
        print(l);
      return;
    }
    case "users": {
      const users = (await ask(config.socket, { cmd: "users" })) as AdminUsersResult;
      if (config.json) return print(JSON.stringify(users));
      if (users.length === 0) return print("no one is connected");
      const rows = users.map((u) => [
        u.nick,
        `${u.user || "-"}@${u.host}`,
        u.ip,
        `${u.front}${u.tls ? "+tls" : ""}${u.oper ? " oper" : ""}`,
        `${u.idleSeconds}s`,
        u.rooms.join(",") || "-",
      ]);
      for (const l of table([["NICK", "USER@HOST", "ADDRESS", "FRONT", "IDLE", "ROOMS"], ...rows]))
        print(l);
      return;
    }
    case "kick": {
      const r = (await ask(config.socket, {
        cmd: "kick",
        room: config.room,
        nick: config.nick,
        reason: config.reason,
      })) as { room: string; nick: string };
      print(`kicked ${r.nick} from ${r.room}`);
      return;
    }
    case "ban": {
      const r = (await ask(config.socket, {
        cmd: "ban",
        pattern: config.pattern,
        reason: config.reason,
        minutes: config.minutes,
      })) as { kind: string; pattern: string; removed: number };
      const m = config.minutes;
      const span = m === undefined ? "" : ` for ${m} minute${m === 1 ? "" : "s"}`;
      print(
        `banned ${r.pattern} (${r.kind})${span}; ${r.removed} connection${r.removed === 1 ? "" : "s"} removed`,
      );
      return;
    }
    case "unban": {
      const r = (await ask(config.socket, { cmd: "unban", pattern: config.pattern })) as {
        kind: string;
        pattern: string;
      };
      print(`lifted the ${r.kind} on ${r.pattern}`);
      return;
    }
  }
}
