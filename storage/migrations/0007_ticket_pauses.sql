-- A ticket's SLA pauses as intervals, not a running total: a deadline counts only the pauses before
-- its milestone was reached, so the ticket must know when each one started and ended. `pauses` is a
-- JSON list of [start, end|null] instants in the text form of every other instant (end null while
-- the pause still stands). The old paused_since / paused_seconds columns stay (SQLite cannot drop a
-- column everywhere this runs); the code writes them from `pauses` and no longer reads them.
ALTER TABLE tickets ADD COLUMN pauses TEXT NOT NULL DEFAULT '[]';

-- Backfill from the audit log, by the rule the KPIs replay it with (bot/domain/kpi.py: facts_of):
-- in time order, a 'paused' line starts a pause unless one is open; 'resumed' or 'resolve' ends it.
-- So a 'paused' line starts one when the pause line before it (paused/resumed/resolve) is not a
-- 'paused' line, and that pause ends at the first 'resumed' or 'resolve' after it.
CREATE TEMP TABLE pause_starts AS
WITH marks AS (
    SELECT ticket_id, id, at, kind,
           LAG(kind) OVER by_time AS previous,
           MIN(CASE WHEN kind <> 'paused' THEN at END)
               OVER (by_time ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS finish
    FROM ticket_events
    WHERE kind IN ('paused', 'resumed', 'resolve')
    WINDOW by_time AS (PARTITION BY ticket_id ORDER BY at, id)
)
SELECT ticket_id, id, at, finish FROM marks WHERE kind = 'paused' AND previous IS NOT 'paused';
CREATE INDEX temp.pause_starts_ticket ON pause_starts (ticket_id, at, id);

UPDATE tickets SET pauses = (
    SELECT json_group_array(json_array(at, finish))
    FROM (SELECT at, finish FROM pause_starts s WHERE s.ticket_id = tickets.id ORDER BY at, id)
)
WHERE id IN (SELECT ticket_id FROM pause_starts);

-- A ticket whose log has no pause line but whose totals say it paused (a hand edit: the bot writes
-- the line with every pause) keeps what the totals say: the ended pauses as one interval from the
-- opening, the standing one from paused_since, so no pause is lost.
UPDATE tickets SET pauses = json_array(json_array(opened_at,
           strftime('%Y-%m-%dT%H:%M:%S', opened_at, '+' || paused_seconds || ' seconds') || substr(opened_at, 20)))
WHERE paused_seconds > 0 AND id NOT IN (SELECT ticket_id FROM pause_starts);
UPDATE tickets SET pauses = json_insert(pauses, '$[#]', json_array(paused_since, NULL))
WHERE paused_since IS NOT NULL AND id NOT IN (SELECT ticket_id FROM pause_starts);

DROP TABLE temp.pause_starts;
