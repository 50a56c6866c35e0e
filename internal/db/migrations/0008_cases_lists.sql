-- Case lists at district scale (issue 3, "Measured"; internal/cases BenchmarkCasesAtScale).

-- The overdue queue is ordered supervised first, then by the running deadline: read in that
-- order from this index, a page of a district's tens of thousands of overdue cases stops after
-- one page instead of sorting them all (on SQLite the list names it with INDEXED BY when the
-- selection is large). region_id rides along so the scope test needs no row.
CREATE INDEX cases_overdue_order ON cases(supervised DESC, (COALESCE(handle_deadline, accept_deadline)), id, region_id)
    WHERE overdue;

-- The call-back queue (closed, handled, not yet called back since closing) in list order: its
-- capped count and its page read only this index, not the half million closed cases.
CREATE INDEX cases_to_callback ON cases(supervised, received_at, id, region_id)
    WHERE state = 'closed' AND outcome IN ('resolved','partly','explained','not_ours')
    AND (callback_at IS NULL OR callback_at < closed_at);

-- @postgres
ANALYZE cases;
-- @end
