-- The case desk's workflow (issue 9): whoever acted on a case finds it again (the 经办 list reads
-- the timeline by user), and 特急 cases have their own round-the-clock accept limit, kept with the
-- other limits that depend on priority.

CREATE INDEX case_events_user ON case_events(user_id, case_id);

-- The limits by priority gain the accept limit ('accept'); SQLite cannot change a CHECK, so the
-- table is rebuilt there.
-- @sqlite
CREATE TABLE case_priority_limits_new (
    priority TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('accept','sign','handle')),
    amount   {DOUBLE} NOT NULL,
    unit     TEXT NOT NULL,
    PRIMARY KEY (priority, kind)
);
INSERT INTO case_priority_limits_new (priority, kind, amount, unit) SELECT priority, kind, amount, unit FROM case_priority_limits;
DROP TABLE case_priority_limits;
ALTER TABLE case_priority_limits_new RENAME TO case_priority_limits;
-- @end
-- @postgres
ALTER TABLE case_priority_limits DROP CONSTRAINT case_priority_limits_kind_check;
ALTER TABLE case_priority_limits ADD CONSTRAINT case_priority_limits_kind_check CHECK (kind IN ('accept','sign','handle'));
-- @end

INSERT INTO case_priority_limits (priority, kind, amount, unit) VALUES ('critical', 'accept', 0.5, 'hours');

-- A merged duplicate's reporter is called back when the main case closes (its callback_deadline is
-- set then): the call-back queue's index takes those duplicates in too.
DROP INDEX cases_to_callback;
CREATE INDEX cases_to_callback ON cases(supervised, received_at, id, region_id)
    WHERE state = 'closed' AND (outcome IN ('resolved','partly','explained','not_ours')
    AND (callback_at IS NULL OR callback_at < closed_at)
    OR outcome = 'duplicate' AND callback_at IS NULL AND callback_deadline IS NOT NULL);
