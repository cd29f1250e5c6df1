-- The first schema: people, the asset register, tickets with their audit log, the report drafts,
-- and the durable pending work (timers, outgoing notifications) that later features fill.
-- Instants are UTC text, 'YYYY-MM-DDTHH:MM:SS.ffffffZ', so they sort as strings.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,          -- Telegram user id
    name        TEXT NOT NULL,
    username    TEXT,
    language    TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT 'reporter',
    blocked     INTEGER NOT NULL DEFAULT 0,
    last_site   TEXT,
    last_room   TEXT,
    last_phone  TEXT,
    awaiting    TEXT,                          -- JSON, a question the bot waits an answer for
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE assets (
    asset_no        TEXT PRIMARY KEY,
    asset_key       TEXT NOT NULL UNIQUE,      -- normalised for lookup
    serial          TEXT NOT NULL DEFAULT '',
    serial_key      TEXT,
    device_type     TEXT NOT NULL,
    site            TEXT NOT NULL,
    department      TEXT NOT NULL DEFAULT '',
    user_name       TEXT NOT NULL DEFAULT '',
    brand           TEXT NOT NULL DEFAULT '',
    model           TEXT NOT NULL DEFAULT '',
    warranty        TEXT NOT NULL DEFAULT 'unknown',
    production_date TEXT,
    ip              TEXT NOT NULL DEFAULT '',
    os              TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL
);
CREATE INDEX assets_serial ON assets (serial_key);

CREATE TABLE ticket_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE tickets (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    reporter_id    INTEGER NOT NULL REFERENCES users (id),
    status         TEXT NOT NULL,
    severity       TEXT NOT NULL,
    description    TEXT NOT NULL,
    photos         TEXT NOT NULL DEFAULT '[]',
    device_type    TEXT,
    asset_no       TEXT,
    site           TEXT,
    room           TEXT,
    contact_phone  TEXT,
    contact_name   TEXT,
    sla_tier       TEXT,
    sla_clock      TEXT NOT NULL,
    respond_by     TEXT,
    onsite_by      TEXT,
    resolve_by     TEXT,
    cancel_reason  TEXT,
    opened_at      TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX tickets_reporter ON tickets (reporter_id, opened_at);
CREATE INDEX tickets_asset ON tickets (asset_no, opened_at);
CREATE INDEX tickets_status ON tickets (status);

CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    at         TEXT NOT NULL,
    actor_id   INTEGER,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;

CREATE TABLE drafts (
    reporter_id INTEGER PRIMARY KEY,
    data        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE processed_updates (
    update_id  INTEGER PRIMARY KEY,
    at         TEXT NOT NULL
);

CREATE TABLE timers (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    ticket_id   INTEGER REFERENCES tickets (id),
    payload     TEXT NOT NULL DEFAULT '{}',
    claimed_at  TEXT,
    done_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX timers_due ON timers (done_at, due_at);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    not_before   TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    sent_at      TEXT,
    failed_at    TEXT,
    last_error   TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, failed_at, not_before);
