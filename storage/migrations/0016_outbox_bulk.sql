-- A notification nobody is waiting for this second (a follow-up, a reminder, an SLA warning, a roster
-- notice) is marked bulk: the rate limiter sends it after the replies people are waiting for (issue 21).
ALTER TABLE outbox ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
