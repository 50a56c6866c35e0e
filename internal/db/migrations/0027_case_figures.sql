-- Case figures at district and city scale (issue 18 item 5, issue 16's briefing; internal/cases
-- BenchmarkFiguresCity, docs/performance.md).

-- Figures, the grouped figures, the dashboard's charts and the leaders' comparison aggregate every
-- case of a region subtree. Read through a region index, each case cost a lookup of its whole row
-- (title, description, address, sealed phone …) in table order; this index holds, region by
-- region, every column those aggregates read, so the scan never touches the table.
-- @sqlite
CREATE INDEX cases_figures ON cases(region_id, accepted_at, received_at, closed_at, handle_deadline, state, outcome,
    channel, category_id, callback_at, callback_resolved, callback_satisfaction, reopen_count, handle_minutes, handler_id);
-- @postgres
CREATE INDEX cases_figures ON cases(region_id, accepted_at) INCLUDE (received_at, closed_at, handle_deadline, state,
    outcome, channel, category_id, callback_at, callback_resolved, callback_satisfaction, reopen_count, handle_minutes,
    handler_id, id);
-- @end

-- The response rate asks of each case of the cohort whether it has a lead task and whether its
-- first lead task was signed within its limit: one seek into this index answers both.
-- @sqlite
CREATE INDEX case_assignments_lead ON case_assignments(case_id, id, signed_at, sign_deadline) WHERE role = 'lead';
-- @postgres
CREATE INDEX case_assignments_lead ON case_assignments(case_id, id) INCLUDE (signed_at, sign_deadline) WHERE role = 'lead';
-- @end

ANALYZE cases;
ANALYZE case_assignments;
