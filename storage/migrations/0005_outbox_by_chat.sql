-- Replies and notifications are delivered chat by chat, in order: find a chat's pending ones fast.
CREATE INDEX outbox_chat_pending ON outbox (chat_id, id) WHERE sent_at IS NULL AND failed_at IS NULL;
