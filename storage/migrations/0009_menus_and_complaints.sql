-- The chats given a command menu of their own (staff: setMyCommands with a chat scope), so that the
-- menu of a person who is no longer an engineer or a manager is taken away at the next start.
CREATE TABLE menu_chats (
    chat_id      INTEGER PRIMARY KEY,
    role         TEXT NOT NULL,
    published_at TEXT NOT NULL
);
-- A complaint is handled by answering the reporter: handled_by and handled_at (0004) say who and when,
-- the answer given is what they were told. (0004's `note` column was never written; it stays unused.)
ALTER TABLE complaints ADD COLUMN answer TEXT;
-- `/complaints all`: the latest answers first.
CREATE INDEX complaints_handled ON complaints (handled_at) WHERE handled_at IS NOT NULL;
