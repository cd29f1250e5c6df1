-- The knowledge base: articles added or edited from chat (beside the shipped files), what each
-- reporter was offered and whether it helped (self-resolved requests count for first-line deflection),
-- and which articles a ticket's reporter had already tried.

CREATE TABLE kb_articles (
    id          TEXT NOT NULL,
    lang        TEXT NOT NULL,
    title       TEXT NOT NULL,
    device      TEXT NOT NULL,
    symptoms    TEXT NOT NULL DEFAULT '[]',   -- JSON list of phrasings
    body        TEXT NOT NULL,
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (id, lang)
);

CREATE TABLE kb_outcomes (
    id           INTEGER PRIMARY KEY,
    reporter_id  INTEGER NOT NULL,
    article_id   TEXT NOT NULL,
    helped       INTEGER NOT NULL,          -- 1: "This fixed it" (a self-resolved request), 0: "Didn't help"
    query        TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX kb_outcomes_at ON kb_outcomes (at);

ALTER TABLE tickets ADD COLUMN tried_articles TEXT NOT NULL DEFAULT '[]';
