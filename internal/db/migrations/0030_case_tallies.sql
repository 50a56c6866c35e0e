-- Case figures from a tally kept with the records (issue 18 item 5, issue 16's briefing; internal/cases
-- tally.go, docs/cases.md "Figures", docs/performance.md).

-- The two lead-task facts the response rate reads, kept on the case itself (saveCase sets them from
-- case_assignments in its own UPDATE): a figure then reads nothing but the case row, so what a case
-- counted before a change is read from the row before it is written.
ALTER TABLE cases ADD COLUMN lead_dispatched BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN lead_on_time BOOLEAN NOT NULL DEFAULT FALSE;

DROP INDEX cases_figures;

UPDATE cases SET lead_dispatched = TRUE,
    lead_on_time = COALESCE((SELECT fa.signed_at IS NOT NULL AND fa.signed_at <= fa.sign_deadline FROM case_assignments fa
        WHERE fa.case_id = cases.id AND fa.role = 'lead' ORDER BY fa.id LIMIT 1), FALSE)
    WHERE id IN (SELECT case_id FROM case_assignments WHERE role = 'lead');

-- As migration 0027's, with the two lead facts: the raw aggregates still never touch the table.
-- @sqlite
CREATE INDEX cases_figures ON cases(region_id, accepted_at, received_at, closed_at, handle_deadline, state, outcome,
    channel, category_id, callback_at, callback_resolved, callback_satisfaction, reopen_count, handle_minutes, handler_id,
    lead_dispatched, lead_on_time);
-- @postgres
CREATE INDEX cases_figures ON cases(region_id, accepted_at) INCLUDE (received_at, closed_at, handle_deadline, state,
    outcome, channel, category_id, callback_at, callback_resolved, callback_satisfaction, reopen_count, handle_minutes,
    handler_id, lead_dispatched, lead_on_time, id);
-- @end

-- The figures' counters of each (region, calendar month in Asia/Shanghai, top-level category,
-- channel): for every community-or-above region, those of the cases in its subtree, computed as
-- if every deadline of the month had passed. The columns are tallyColumns (internal/cases/tally.go):
-- each figure counted by the accepted cohort, the ones that depend on the cohort again by the
-- closed cohort (_bc), and three the dashboard and the grouped figures read.
CREATE TABLE case_tallies (
    region_id {BIGINT} NOT NULL,
    month TEXT NOT NULL,
    category_id {BIGINT} NOT NULL,
    channel TEXT NOT NULL,
    intake {BIGINT} NOT NULL DEFAULT 0,
    accepted {BIGINT} NOT NULL DEFAULT 0,
    closed {BIGINT} NOT NULL DEFAULT 0,
    practical_matters {BIGINT} NOT NULL DEFAULT 0,
    response_rate_num {BIGINT} NOT NULL DEFAULT 0,
    response_rate_den {BIGINT} NOT NULL DEFAULT 0,
    due {BIGINT} NOT NULL DEFAULT 0,
    on_time_rate_num {BIGINT} NOT NULL DEFAULT 0,
    on_time_rate_den {BIGINT} NOT NULL DEFAULT 0,
    closure_rate_num {BIGINT} NOT NULL DEFAULT 0,
    closure_rate_den {BIGINT} NOT NULL DEFAULT 0,
    resolution_rate_num {BIGINT} NOT NULL DEFAULT 0,
    resolution_rate_den {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_rate_num {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_rate_den {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_satisfied {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_basic {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_dissatisfied {BIGINT} NOT NULL DEFAULT 0,
    reopen_rate_num {BIGINT} NOT NULL DEFAULT 0,
    reopen_rate_den {BIGINT} NOT NULL DEFAULT 0,
    mean_handle_hours {BIGINT} NOT NULL DEFAULT 0,
    closed_bc {BIGINT} NOT NULL DEFAULT 0,
    practical_matters_bc {BIGINT} NOT NULL DEFAULT 0,
    response_rate_num_bc {BIGINT} NOT NULL DEFAULT 0,
    response_rate_den_bc {BIGINT} NOT NULL DEFAULT 0,
    closure_rate_num_bc {BIGINT} NOT NULL DEFAULT 0,
    resolution_rate_num_bc {BIGINT} NOT NULL DEFAULT 0,
    resolution_rate_den_bc {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_rate_num_bc {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_rate_den_bc {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_satisfied_bc {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_basic_bc {BIGINT} NOT NULL DEFAULT 0,
    satisfaction_dissatisfied_bc {BIGINT} NOT NULL DEFAULT 0,
    reopen_rate_num_bc {BIGINT} NOT NULL DEFAULT 0,
    reopen_rate_den_bc {BIGINT} NOT NULL DEFAULT 0,
    mean_handle_hours_bc {BIGINT} NOT NULL DEFAULT 0,
    touched {BIGINT} NOT NULL DEFAULT 0,
    closed_any {BIGINT} NOT NULL DEFAULT 0,
    closed_handled {BIGINT} NOT NULL DEFAULT 0,
    PRIMARY KEY (region_id, month, category_id, channel)
-- @sqlite
) WITHOUT ROWID;
-- @postgres
);
-- @end

-- Present once case_tallies holds every case (cases.BuildTallies); until then the figures are
-- computed from the cases alone (an upgraded database builds it when linli starts). A database
-- without cases has its tally already.
CREATE TABLE case_tallies_built (built_at {TIMESTAMP} NOT NULL);
INSERT INTO case_tallies_built (built_at) SELECT CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM cases);

ANALYZE cases;
