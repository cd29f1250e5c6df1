-- A year's official schedule loaded from a file (`helpdesk calendar import`): its days are the
-- calendar_days of that year, and the year counts as known (no "approximate" warning, and the
-- package's guesses for it are set aside).
CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    days       INTEGER NOT NULL,        -- how many lines the file had for the year
    loaded_by  INTEGER,
    loaded_at  TEXT NOT NULL
);
