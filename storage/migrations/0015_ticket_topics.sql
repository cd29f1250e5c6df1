-- A ticket's forum topic in the staff group (bot.duty_chat_id, when it is a forum): the topic's id, and
-- the name and open/closed state last asked of Telegram, so a change of the ticket is mirrored once.
CREATE TABLE ticket_topics (
    ticket    TEXT PRIMARY KEY,
    chat_id   INTEGER NOT NULL,
    thread_id INTEGER NOT NULL,
    name      TEXT NOT NULL,
    closed    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ticket_topics_by_thread ON ticket_topics (chat_id, thread_id);
