-- Preventive maintenance (巡检): the register says which devices are core and when one was retired,
-- and remembers when each device joined it (a device added mid-quarter waits for the next window).
-- added_at is NULL for devices registered before this migration: they count as always there.
ALTER TABLE assets ADD COLUMN core INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN retired TEXT;
ALTER TABLE assets ADD COLUMN added_at TEXT;

-- Where a ticket came from: a report in chat, or a fault found during an inspection.
ALTER TABLE tickets ADD COLUMN source TEXT NOT NULL DEFAULT 'chat';

-- One visit list per site and day (visit_key = "day|site": planning the same day twice keeps one),
-- with each device's result inside it as JSON, so a press rewrites one row in one transaction.
CREATE TABLE inspection_visits (
    id          INTEGER PRIMARY KEY,
    visit_key   TEXT NOT NULL UNIQUE,
    site        TEXT NOT NULL,
    day         TEXT NOT NULL,
    due_by      TEXT NOT NULL,
    classes     TEXT NOT NULL,
    engineer_id INTEGER,
    status      TEXT NOT NULL,
    items       TEXT NOT NULL,
    pushed_at   TEXT,
    started_at  TEXT,
    finished_at TEXT
);
CREATE INDEX inspection_visits_by_day ON inspection_visits (day);
