-- Engineers on duty: who a ticket is assigned to and when each milestone was reached (the SLA
-- clocks and the KPIs read them), the escalation policy frozen onto the ticket, pauses, the spare
-- machine; the roster's overrides and edits made from chat; one-time notices; timer keys.

ALTER TABLE tickets ADD COLUMN assignee_id INTEGER;
ALTER TABLE tickets ADD COLUMN escalation TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tickets ADD COLUMN dispatched_at TEXT;
ALTER TABLE tickets ADD COLUMN accepted_at TEXT;
ALTER TABLE tickets ADD COLUMN arrived_at TEXT;
ALTER TABLE tickets ADD COLUMN resolved_at TEXT;
ALTER TABLE tickets ADD COLUMN paused_since TEXT;
ALTER TABLE tickets ADD COLUMN paused_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN pause_reason TEXT;
ALTER TABLE tickets ADD COLUMN spare_due TEXT;
ALTER TABLE tickets ADD COLUMN resolution TEXT;
ALTER TABLE tickets ADD COLUMN parts TEXT;
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);

ALTER TABLE timers ADD COLUMN key TEXT;
CREATE UNIQUE INDEX timers_key ON timers (key) WHERE key IS NOT NULL;

CREATE TABLE duty_overrides (
    id           INTEGER PRIMARY KEY,
    start        TEXT NOT NULL,
    end          TEXT NOT NULL,
    engineer_id  INTEGER NOT NULL,
    rotation     TEXT,
    kind         TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_by   INTEGER,
    created_at   TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE INDEX duty_overrides_time ON duty_overrides (end, start);

CREATE TABLE rotation_edits (
    name        TEXT PRIMARY KEY,
    engineers   TEXT NOT NULL,               -- JSON list of engineer ids, replacing the config's
    updated_by  INTEGER,
    updated_at  TEXT NOT NULL
);

CREATE TABLE calendar_days (
    day         TEXT PRIMARY KEY,            -- YYYY-MM-DD, local
    kind        TEXT NOT NULL,               -- holiday | workday
    name        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  TEXT NOT NULL
);

CREATE TABLE notices (
    key  TEXT PRIMARY KEY,                   -- e.g. 'gap:2026-12-01T10:00', 'calendar-year:2027'
    at   TEXT NOT NULL
);
