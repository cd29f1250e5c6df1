-- The follow-up survey after a repair, and the complaints low ratings raise.

CREATE TABLE followups (
    ticket_id    INTEGER PRIMARY KEY REFERENCES tickets (id),
    reporter_id  INTEGER NOT NULL,
    state        TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    sent_at      TEXT,
    reminded_at  TEXT,
    expires_at   TEXT,
    answer       TEXT,
    answered_at  TEXT,
    rating       INTEGER,
    rated_at     TEXT,
    comment      TEXT
);
CREATE INDEX followups_sent ON followups (sent_at);

CREATE TABLE complaints (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    rating      INTEGER NOT NULL,
    comment     TEXT,
    created_at  TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    handled_at  TEXT,
    handled_by  INTEGER,
    note        TEXT
);
CREATE INDEX complaints_open ON complaints (handled_at, due_at);

CREATE TABLE report_deliveries (
    period      TEXT PRIMARY KEY,            -- '2026-11'
    due_at      TEXT NOT NULL,
    sent_at     TEXT
);
