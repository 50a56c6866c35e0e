-- Resident search at city scale (issue 2, "Measured"; internal/register BenchmarkResidentSearchCity).
-- SQLite has nothing to change; the migration exists on both so the numbers stay in step.

-- @postgres
-- A search reads a few thousand rows of resident_fts at most: starting a parallel worker for it
-- costs more than it saves, and on a small shared server far more (秀英 over the 1M-resident city,
-- median 15-21 ms with a worker, 8-10 ms without).
ALTER TABLE resident_fts SET (parallel_workers = 0);
-- @end
