-- Preventive maintenance (巡检): a visit list moved to another day or handed to another engineer keeps
-- who did it, when and why, as a JSON list beside its results (one row, rewritten in one transaction).
ALTER TABLE inspection_visits ADD COLUMN changes TEXT NOT NULL DEFAULT '[]';
