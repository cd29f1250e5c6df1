-- Preventive maintenance (巡检): the register says which devices are core and when one was retired,
-- and remembers when each device joined it (a device added mid-quarter waits for the next window).
-- added_at is NULL for devices registered before this migration: they count as always there.
ALTER TABLE assets ADD COLUMN core INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN retired TEXT;
ALTER TABLE assets ADD COLUMN added_at TEXT;
