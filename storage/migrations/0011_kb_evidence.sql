-- Learning from outcomes: an engineer who resolved a ticket with an article says so as well as a
-- reporter who pressed "This fixed it" (one verdict per ticket and article), and a phrasing an
-- engineer removed from what the matcher learned stays removed.
ALTER TABLE kb_outcomes ADD COLUMN by_engineer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kb_outcomes ADD COLUMN ticket_number TEXT;
CREATE UNIQUE INDEX kb_outcomes_by_ticket ON kb_outcomes (ticket_number, article_id)
    WHERE ticket_number IS NOT NULL;

CREATE TABLE kb_evidence_removed (
    article_id  TEXT NOT NULL,
    query_key   TEXT NOT NULL,      -- knowledge.evidence.query_key of the group
    removed_by  INTEGER,
    removed_at  TEXT NOT NULL,
    PRIMARY KEY (article_id, query_key)
);
