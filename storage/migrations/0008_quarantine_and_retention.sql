-- Updates Telegram sent that the bot could not read (a field the library requires is missing, as an
-- older self-hosted Bot API server may send): kept aside so polling moves on, and shown by the doctor.
CREATE TABLE quarantined_updates (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT NOT NULL,
    error       TEXT NOT NULL,
    received_at TEXT NOT NULL
);
-- A reply of several messages (a card and its photos) remembers how many went out, so a retry sends
-- only the rest: the card with its live buttons is never sent twice.
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
-- Retention prunes delivered and given-up messages, and old update ids, by age.
CREATE INDEX outbox_finished ON outbox (created_at) WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
CREATE INDEX processed_updates_at ON processed_updates (at);
