-- A sent message remembers Telegram's id for it, and a message about a ticket names the ticket: a
-- card whose buttons no longer apply (the ticket was cancelled, handed over, taken by someone else)
-- can then be edited into the ticket as it is, without buttons.
ALTER TABLE outbox ADD COLUMN message_id INTEGER;
ALTER TABLE outbox ADD COLUMN ticket TEXT;
CREATE INDEX outbox_by_ticket ON outbox (ticket) WHERE ticket IS NOT NULL;
