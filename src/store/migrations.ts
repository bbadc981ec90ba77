/**
 * Schema migrations, applied in order at start; entry i brings the database to
 * version i + 1. Never edit a shipped entry: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    msgid TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    key TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    command TEXT NOT NULL,
    text TEXT NOT NULL
  );
  -- One index per conversation order: (key, time) carries the rowid, so it
  -- also orders equal times by arrival. Every extra index on a per-room key
  -- costs a dirty page per room per flush.
  CREATE INDEX messages_key_time ON messages (key, time);
  CREATE TABLE private_conversations (
    key TEXT PRIMARY KEY,
    a TEXT NOT NULL,
    b TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX private_conversations_a ON private_conversations (a);
  CREATE INDEX private_conversations_b ON private_conversations (b);
  CREATE TABLE rooms (
    folded TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    topic_text TEXT,
    topic_by TEXT,
    topic_at INTEGER,
    flags TEXT NOT NULL,
    chan_key TEXT,
    user_limit INTEGER
  );
  CREATE TABLE bans (
    room TEXT NOT NULL REFERENCES rooms (folded) ON DELETE CASCADE,
    mask TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at INTEGER NOT NULL,
    PRIMARY KEY (room, mask)
  );
  `,
  // 2: the +e (ban exception) and +I (invite exception) lists, one table, `mode` saying which.
  `
  CREATE TABLE room_lists (
    room TEXT NOT NULL REFERENCES rooms (folded) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    mask TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at INTEGER NOT NULL,
    PRIMARY KEY (room, mode, mask)
  );
  `,
  // 3: draft/read-marker: how far each nick has read each conversation (ms).
  `
  CREATE TABLE read_markers (
    nick TEXT NOT NULL,
    target TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (nick, target)
  ) WITHOUT ROWID;
  `,
  // 4: SEARCH (soju.im/search): a full-text index of message text, kept in step
  // with the messages table by triggers (appends, retention, any deletion).
  `
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    text,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    detail = none,
    columnsize = 0
  );
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
  WHEN new.command IN ('PRIVMSG', 'NOTICE') BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
  WHEN old.command IN ('PRIVMSG', 'NOTICE') BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
  WHEN old.command IN ('PRIVMSG', 'NOTICE') BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
  END;
  -- Only messages are indexed (event-playback rows hold JSON): the triggers
  -- and this first fill agree, as an external-content index requires.
  INSERT INTO messages_fts (rowid, text)
    SELECT id, text FROM messages WHERE command IN ('PRIVMSG', 'NOTICE');
  `,
  // 5: the search index is written in batches after the commit (sqlite/search-index.ts),
  // not by a trigger inside it: FTS5 writes a new segment for every statement that inserts,
  // so one row at a time cost ~12-70 µs a message on the fan-out path (bench/findings.md).
  // messages_fts_progress.upto: every PRIVMSG/NOTICE with id <= upto is indexed, none above.
  // Deletions take a row out of the index only when it is in it; deleting the newest rows
  // lowers upto, so an id SQLite hands out again is indexed afresh.
  `
  DROP TRIGGER messages_fts_insert;
  DROP TRIGGER messages_fts_delete;
  DROP TRIGGER messages_fts_update;
  CREATE TABLE messages_fts_progress (upto INTEGER NOT NULL);
  INSERT INTO messages_fts_progress (upto) SELECT COALESCE(MAX(id), 0) FROM messages;
  -- One trigger, so the index entry goes before upto can be lowered past it.
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
  WHEN old.id <= (SELECT upto FROM messages_fts_progress) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text)
      SELECT 'delete', old.id, old.text WHERE old.command IN ('PRIVMSG', 'NOTICE');
    UPDATE messages_fts_progress SET upto = (SELECT COALESCE(MAX(id), 0) FROM messages)
      WHERE NOT EXISTS (SELECT 1 FROM messages WHERE id > old.id);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
  WHEN old.command IN ('PRIVMSG', 'NOTICE')
    AND old.id <= (SELECT upto FROM messages_fts_progress) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
  END;
  `,
];
