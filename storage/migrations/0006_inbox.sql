-- Updates fetched from Telegram are written here before their fetch is confirmed to Telegram, and
-- removed once handled: a crash between fetching and handling loses nothing, the restart replays them.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL
);
